// Sizes the writer and the reader agree on. Not part of the public API: a reader only has to
// accept what a writer of the same format version can produce.
#pragma once

#include <cstddef>
#include <cstdint>

#include "retrace/tape/frame.h"

namespace retrace::tape::detail {

// A writer closes an EventChunk at whichever comes first. 64K clock events pack to ~450 KiB and
// 8 MiB of raw answers to a little more than 8 MiB, both far below kMaxFrameLength, and a reader
// never holds more than one such chunk in memory.
constexpr size_t kMaxChunkEvents = 64 * 1024;
constexpr size_t kMaxChunkRawBytes = 8u << 20;

// A writer splits a long hand-over schedule into frames of at most this many entries (3 words each
// before packing, so about 1.5 MiB): however much the agent submits at once, a frame stays far
// below kMaxFrameLength and a reader decodes it in one small piece.
constexpr size_t kMaxHandoversPerFrame = 64 * 1024;

// Packing squeezes runs of zero words, so a small frame can unpack to a large message. Both
// sides cap the unpacked size; the reader's traversal limit leaves room for reading a message
// a few times over (open validates it, then a cursor reads it again).
constexpr size_t kMaxMessageBytes = 512u << 20;

// How far a frame may unpack, so that reading any file takes work in proportion to its size.
// Packing turns 2 bytes into up to 256 zero words: 95 KB of a crafted run of empty list entries
// would make 12M of them. A writer's frames stay near one word per packed byte, because each word
// costs a tag byte and its non-zero bytes (64K clock events pack to ~450 KiB, about 7 words in
// 3-7 bytes each; the agent's call ids start at 1, so no event is all zeros), with one exception:
// zeros the program was given, a read of a zero-filled file, which is one Data blob, cheap to hold
// and never walked entry by entry. So a frame may unpack to 32 words per packed byte and a little;
// beyond that only by bytes of event data, and by 8 words per event for a writer given events of
// call id 0 with value 0 (expansion.h checks which, without holding the zeros in memory).
constexpr uint64_t kMaxUnpackedWordsPerPackedByte = 32;
constexpr uint64_t kExpansionSlackWords = 4096;
constexpr uint64_t kMaxZeroEventWords = 8;

constexpr uint64_t maxStructureWords(size_t packedBytes) {
  return kMaxUnpackedWordsPerPackedByte * packedBytes + kExpansionSlackWords;
}

// Cap'n Proto's traversal limit, per message, from the message's own size: enough to read it a
// few times over (open validates it, then a cursor reads it again), never the 2 GiB of a fixed
// limit, so that pointers aimed at one list many times cannot multiply the work.
constexpr uint64_t traversalLimitWords(uint64_t messageWords) {
  return 4 * messageWords + 1024;
}

// Processes in one recording: a tree of this many JVMs is far beyond any real one, and each
// costs the reader an entry whatever its frames hold.
constexpr size_t kMaxProcesses = 1u << 16;

// The writer's queue: above this, submit() waits for the writer thread instead of letting a
// program that produces events faster than the disk takes them grow without bound.
constexpr size_t kMaxQueuedBytes = 256u << 20;

}  // namespace retrace::tape::detail
