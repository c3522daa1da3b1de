// Unpacking of Cap'n Proto's packed encoding, by hand rather than with PackedMessageReader: we
// know the whole payload up front (mmap), so we can size the result before allocating, refuse a
// frame that would unpack to more than kMaxMessageBytes, and hand FlatArrayMessageReader one
// flat array that has no lazy reads and no destructor that can throw.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace retrace::tape::detail {

/**
 * Unpacks `packed` into `words` (reused between calls). False and a reason when the stream is
 * malformed (ends inside a word or a run) or unpacks to more than `maxWords`. `allowSimd` is
 * for the tests, which check the portable loop against the SSSE3 one.
 */
bool unpack(const uint8_t* packed, size_t length, size_t maxWords, std::vector<uint64_t>& words, std::string& error,
            bool allowSimd = true);

/**
 * Words `packed` unpacks to, or SIZE_MAX when it is malformed or over maxWords (`over` says
 * which). Counts runs without expanding them: the work is in the packed length.
 */
size_t unpackedWords(const uint8_t* packed, size_t length, size_t maxWords, bool& over);

/**
 * Unpacks a stream unpackedWords() accepted into `out`, which is already all zeros: zero words are
 * skipped, not written, so memory that is never touched (a fresh mapping) stays unallocated.
 */
void unpackIntoZeros(const uint8_t* packed, size_t length, uint8_t* out);

/** Reader options for a message of `messageWords` words (limits.h traversalLimitWords). */
capnp::ReaderOptions tapeReaderOptions(uint64_t messageWords);

/** A decoded frame payload. The message points into `words`: keep both alive together. */
class DecodedMessage {
 public:
  DecodedMessage() = default;
  // Cap'n Proto's readers may throw from their destructors (noexcept(false)); a cursor holding one
  // may not, since EventCursor's destructor is noexcept. Nothing is released that could throw.
  ~DecodedMessage() noexcept {}  // NOLINT(modernize-use-equals-default): = default would be noexcept(false)
  /**
   * False and a reason when the payload does not unpack (to at most `maxWords` words) or parse.
   * Never throws.
   */
  bool decode(const uint8_t* payload, size_t length, uint64_t maxWords, std::string& error);
  /**
   * Decodes only the first `words` words of a single-segment message, as a message of that
   * size: enough to read the small structs at its start (an event chunk's thread, first index
   * and event count) without unpacking its events. False when the prefix cannot stand alone;
   * reading past it throws, like reading a malformed message.
   */
  bool decodePrefix(const uint8_t* payload, size_t length, size_t words);
  /** After decodePrefix: the words the whole message says it has (segment table included). */
  uint64_t declaredWords() const { return declaredWords_; }
  void clear() { reader_.reset(); }
  capnp::MessageReader& reader() { return *reader_; }

 private:
  std::vector<uint64_t> words_;
  uint64_t declaredWords_ = 0;
  std::optional<capnp::FlatArrayMessageReader> reader_;
};

}  // namespace retrace::tape::detail
