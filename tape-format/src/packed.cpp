// See packed.h. The packed format: each word of the message becomes a tag byte whose bits say
// which of its 8 bytes are non-zero, followed by those bytes. Tag 0x00 is followed by a count
// of further all-zero words; tag 0xFF by a count of further words copied verbatim.
#include "packed.h"

#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "limits.h"

#if defined(__x86_64__)
#include <tmmintrin.h>
#endif

namespace retrace::tape::detail {
namespace {

/** Per tag: how many bytes follow it, and where each goes (0x80: a zero byte), for pshufb. */
struct TagTables {
  uint8_t bytes[256];
  uint8_t shuffle[256][16];
  constexpr TagTables() : bytes(), shuffle() {
    for (unsigned tag = 0; tag < 256; ++tag) {
      uint8_t next = 0;
      for (unsigned bit = 0; bit < 16; ++bit) {
        bool present = bit < 8 && ((tag >> bit) & 1u);
        shuffle[tag][bit] = present ? next++ : 0x80;
      }
      bytes[tag] = next;
    }
  }
};

constexpr TagTables kTags;

size_t countWords(const uint8_t* in, size_t length, size_t maxWords, bool& over) {
  over = false;
  size_t i = 0, words = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    size_t bytes = kTags.bytes[tag];
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
    if (words > maxWords) {
      over = true;
      return SIZE_MAX;
    }
  }
  return words;
}

/** The runs that follow tags 0x00 and 0xFF; the word itself is already written. */
inline void unpackRun(uint8_t tag, const uint8_t* in, size_t& i, uint8_t*& out) {
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

/** One word from its tag's bytes, the slow way (also the tail of the fast ways). */
inline void unpackWord(uint8_t tag, const uint8_t* in, size_t& i, uint8_t* out) {
  for (int bit = 0; bit < 8; ++bit) out[bit] = (tag >> bit) & 1 ? in[i++] : 0;
}

// Both loops run over a stream that unpackedWords() has validated.

void unpackPortable(const uint8_t* in, size_t length, uint8_t* out) {
  size_t i = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    if (length - i >= 8) {
      // Branch-free: clock events are mostly words with one to three bytes set, in patterns a
      // branch predictor cannot learn.
      for (int bit = 0; bit < 8; ++bit) {
        // An absent byte reads in[i] (index 0x80 & 7) and is masked to zero.
        out[bit] = in[i + (kTags.shuffle[tag][bit] & 7u)] & static_cast<uint8_t>(0u - ((tag >> bit) & 1u));
      }
      i += kTags.bytes[tag];
    } else {
      unpackWord(tag, in, i, out);
    }
    out += 8;
    unpackRun(tag, in, i, out);
  }
}

#if defined(__x86_64__)
// One pshufb per word. Selected at run time, like crc32c, so a generic x86-64 build uses it.
__attribute__((target("ssse3"))) void unpackSsse3(const uint8_t* in, size_t length, uint8_t* out) {
  size_t i = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    if (length - i >= 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
      __m128i order = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTags.shuffle[tag]));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(bytes, order));
      i += kTags.bytes[tag];
    } else {
      unpackWord(tag, in, i, out);
    }
    out += 8;
    unpackRun(tag, in, i, out);
  }
}
#endif

// The first `maxWords` words of a stream; SIZE_MAX when the stream is malformed before them.
size_t unpackPrefix(const uint8_t* in, size_t length, uint8_t* out, size_t maxWords) {
  size_t i = 0, w = 0;
  while (i < length && w < maxWords) {
    uint8_t tag = in[i++];
    if (length - i < kTags.bytes[tag]) return SIZE_MAX;
    unpackWord(tag, in, i, out + w * 8);
    ++w;
    if (tag == 0x00 || tag == 0xFF) {
      if (i == length) return SIZE_MAX;
      size_t run = in[i++];
      size_t take = std::min(run, maxWords - w);
      if (tag == 0x00) {
        std::memset(out + w * 8, 0, take * 8);
      } else {
        if ((length - i) / 8 < run) return SIZE_MAX;
        std::memcpy(out + w * 8, in + i, take * 8);
        i += run * 8;
      }
      w += take;
    }
  }
  return w;
}

}  // namespace

size_t unpackedWords(const uint8_t* in, size_t length, size_t maxWords, bool& over) {
  return countWords(in, length, maxWords, over);
}

void unpackIntoZeros(const uint8_t* in, size_t length, uint8_t* out) {
  size_t i = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    if (tag == 0x00) {
      out += (1 + size_t{in[i++]}) * 8;  // already zero: the pages stay untouched
      continue;
    }
    for (int bit = 0; bit < 8; ++bit) out[bit] = (tag >> bit) & 1 ? in[i++] : 0;
    out += 8;
    if (tag == 0xFF) {
      size_t run = in[i++] * size_t{8};
      std::memcpy(out, in + i, run);
      i += run;
      out += run;
    }
  }
}

bool unpack(const uint8_t* in, size_t length, size_t maxWords, std::vector<uint64_t>& words, std::string& error,
            bool allowSimd) {
  bool over = false;
  size_t count = countWords(in, length, maxWords, over);
  if (count == SIZE_MAX) {
    error = over ? "message over " + std::to_string(maxWords * 8) + " bytes" : "malformed packed stream";
    return false;
  }
  // One big chunk should not pin its memory while a cursor walks on through small ones.
  if (words.capacity() > 4 * count && words.capacity() > (size_t{1} << 17)) std::vector<uint64_t>().swap(words);
  words.resize(count);
  auto* out = reinterpret_cast<uint8_t*>(words.data());
#if defined(__x86_64__)
  static const bool ssse3 = __builtin_cpu_supports("ssse3");
  if (ssse3 && allowSimd) {
    unpackSsse3(in, length, out);
    return true;
  }
#endif
  unpackPortable(in, length, out);
  return true;
}

capnp::ReaderOptions tapeReaderOptions(uint64_t messageWords) {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = traversalLimitWords(messageWords);
  return options;
}

bool DecodedMessage::decodePrefix(const uint8_t* payload, size_t length, size_t words) {
  reader_.reset();
  words_.resize(words);
  size_t got = unpackPrefix(payload, length, reinterpret_cast<uint8_t*>(words_.data()), words);
  // Word 0 is the segment table: (segment count - 1, size of segment 0). One segment only.
  if (got == SIZE_MAX || got < 2 || (words_[0] & 0xffffffffu) != 0) return false;
  words_.resize(got);
  uint64_t segmentWords = words_[0] >> 32;
  declaredWords_ = 1 + segmentWords;
  words_[0] = std::min<uint64_t>(segmentWords, got - 1) << 32;
  try {
    reader_.emplace(kj::arrayPtr(reinterpret_cast<const capnp::word*>(words_.data()), words_.size()),
                    tapeReaderOptions(words_.size()));
    return true;
  } catch (const kj::Exception&) {
  } catch (const std::exception&) {
  }
  reader_.reset();
  return false;
}

bool DecodedMessage::decode(const uint8_t* payload, size_t length, uint64_t maxWords, std::string& error) {
  reader_.reset();  // the old message points into words_, which unpack() may reallocate
  if (!unpack(payload, length, std::min<uint64_t>(maxWords, kMaxMessageBytes / 8), words_, error)) return false;
  try {
    reader_.emplace(kj::arrayPtr(reinterpret_cast<const capnp::word*>(words_.data()), words_.size()),
                    tapeReaderOptions(words_.size()));
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
