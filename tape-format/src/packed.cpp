// See packed.h. The packed format: each word of the message becomes a tag byte whose bits say
// which of its 8 bytes are non-zero, followed by those bytes. Tag 0x00 is followed by a count
// of further all-zero words; tag 0xFF by a count of further words copied verbatim.
#include "packed.h"

#include <kj/exception.h>

#include <cstring>

#include "limits.h"

namespace retrace::tape::detail {
namespace {

/** Words the stream unpacks to, or SIZE_MAX when it is malformed. */
size_t unpackedWords(const uint8_t* in, size_t length, size_t maxWords) {
  size_t i = 0, words = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    size_t bytes = static_cast<size_t>(__builtin_popcount(tag));
    if (length - i < bytes) return SIZE_MAX;
    i += bytes;
    ++words;
    if (tag == 0x00 || tag == 0xFF) {
      if (i == length) return SIZE_MAX;
      size_t run = in[i++];
      if (tag == 0xFF) {
        if ((length - i) / 8 < run) return SIZE_MAX;
        i += run * 8;
      }
      words += run;
    }
    if (words > maxWords) return SIZE_MAX;
  }
  return words;
}

}  // namespace

bool unpack(const uint8_t* in, size_t length, size_t maxWords, std::vector<uint64_t>& words, std::string& error) {
  size_t count = unpackedWords(in, length, maxWords);
  if (count == SIZE_MAX) {
    error = "malformed packed stream or message over " + std::to_string(maxWords * 8) + " bytes";
    return false;
  }
  if (words.size() < count) words.resize(count);
  auto* out = reinterpret_cast<uint8_t*>(words.data());
  size_t i = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    uint8_t word[8];
    for (int bit = 0; bit < 8; ++bit) word[bit] = (tag >> bit) & 1 ? in[i++] : 0;
    std::memcpy(out, word, 8);
    out += 8;
    if (tag == 0x00) {
      size_t run = in[i++] * size_t{8};
      std::memset(out, 0, run);
      out += run;
    } else if (tag == 0xFF) {
      size_t run = in[i++] * size_t{8};
      std::memcpy(out, in + i, run);
      i += run;
      out += run;
    }
  }
  words.resize(count);
  return true;
}

capnp::ReaderOptions tapeReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kTraversalLimitWords;
  return options;
}

bool DecodedMessage::decode(const uint8_t* payload, size_t length, std::string& error) {
  reader_.reset();  // the old message points into words_, which unpack() may reallocate
  if (!unpack(payload, length, kMaxMessageBytes / 8, words_, error)) return false;
  try {
    reader_.emplace(kj::arrayPtr(reinterpret_cast<const capnp::word*>(words_.data()), words_.size()),
                    tapeReaderOptions());
    return true;
  } catch (const kj::Exception& e) {
    reader_.reset();
    error = e.getDescription().cStr();
  } catch (const std::exception& e) {
    reader_.reset();
    error = e.what();
  }
  size_t newline = error.find('\n');
  if (newline != std::string::npos) error.resize(newline);
  return false;
}

}  // namespace retrace::tape::detail
