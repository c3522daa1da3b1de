// Turns the raw events of an EventBuffer (event_buffer.h) into EventChunk messages. Runs on the
// writer thread only: the hot path never sees Cap'n Proto.
#pragma once

#include <cstddef>
#include <cstdint>

#include "delta.h"
#include "retrace.capnp.h"

namespace retrace::tape::detail {

/** The events of one chunk: [begin, end) of a raw buffer. */
struct ChunkSpan {
  const uint8_t* begin = nullptr;
  const uint8_t* end = nullptr;
  uint32_t events = 0;
  size_t extraBytes = 0;  // sum of the events' extra parts

  /** Words of the first segment so that a chunk is usually built without a second one. */
  size_t estimatedWords() const;
};

/**
 * The next chunk starting at `begin`: as many whole events as fit kMaxChunkEvents and
 * kMaxChunkRawBytes, but at least one. events == 0 only at the end (or at a torn event).
 * An event larger than kMaxChunkRawBytes gets a chunk to itself.
 */
ChunkSpan nextChunk(const uint8_t* begin, const uint8_t* end);

class ChunkEncoder {
 public:
  /** Fills `out` with the events of `span`, values delta-coded (retrace.capnp Event). */
  void encode(schema::EventChunk::Builder out, uint32_t thread, uint64_t firstIndex, const ChunkSpan& span);

 private:
  DeltaTable delta_;
};

}  // namespace retrace::tape::detail
