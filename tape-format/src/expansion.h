// How far one frame's packed payload may expand (limits.h), checked when a recording is opened,
// before any of it is unpacked into memory, so that a few crafted bytes cannot become millions
// of list entries for the reader, its cursors and the tools above them to walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace retrace::tape::detail {

/**
 * True when the payload may be read: it is a whole packed stream, and it unpacks to at most
 * maxStructureWords(length) words, or to more only where the excess is bytes of event data (a
 * read of zeros). Else false and a one-line reason. `words` gets what the payload unpacks to.
 * Work in proportion to `length`, memory in proportion to its non-zero words.
 */
bool expansionAllowed(const uint8_t* payload, size_t length, uint64_t& words, std::string& why);

}  // namespace retrace::tape::detail
