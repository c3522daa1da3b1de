// Conversions between the plain structs of process_info.h and the Cap'n Proto messages, so the
// writer and the reader spell every field once, in the same place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "retrace.capnp.h"
#include "retrace/tape/process_info.h"

namespace retrace::tape::detail {

void fillProcessStart(schema::ProcessStart::Builder out, const ProcessStartInfo& info);
ProcessStartInfo readProcessStart(schema::ProcessStart::Reader in);

void fillProcessEnd(schema::ProcessEnd::Builder out, const ProcessEndInfo& info);
ProcessEndInfo readProcessEnd(schema::ProcessEnd::Reader in);

void fillThreadStart(schema::ThreadStart::Builder out, const ThreadInfo& info);
ThreadInfo readThreadStart(schema::ThreadStart::Reader in);

void fillHandovers(schema::Handovers::Builder out, uint64_t firstIndex, const HandoverRecord* entries, size_t count);
HandoverRecord readHandover(schema::Handover::Reader in);

inline std::string_view view(capnp::Text::Reader text) {
  return {text.begin(), text.size()};
}
inline std::string_view view(capnp::Data::Reader data) {
  return {reinterpret_cast<const char*>(data.begin()), data.size()};
}
inline std::string toString(capnp::Text::Reader text) {
  return std::string(text.begin(), text.size());
}

/** Copies `bytes` into a freshly initialised blob: no NUL terminator needed in the source. */
template <typename Blob>
void copyInto(Blob blob, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(blob.begin(), bytes.data(), bytes.size());
}

}  // namespace retrace::tape::detail
