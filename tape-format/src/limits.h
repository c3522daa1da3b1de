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
constexpr uint64_t kTraversalLimitWords = 4 * (kMaxMessageBytes / 8);

// The writer's queue: above this, submit() waits for the writer thread instead of letting a
// program that produces events faster than the disk takes them grow without bound.
constexpr size_t kMaxQueuedBytes = 256u << 20;

}  // namespace retrace::tape::detail
