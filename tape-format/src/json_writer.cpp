#include "retrace/tape/json_writer.h"

namespace retrace::tape::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendEscape(std::string& out, unsigned unit) {
  out += "\\u";
  out += kHex[(unit >> 12) & 0xF];
  out += kHex[(unit >> 8) & 0xF];
  out += kHex[(unit >> 4) & 0xF];
  out += kHex[unit & 0xF];
}

bool continuation(uint8_t byte) {
  return (byte & 0xC0) == 0x80;
}

/** Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates), or 0. */
size_t validSequence(const uint8_t* p, size_t left) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return left >= 2 && continuation(p[1]) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (left < 3 || !continuation(p[1]) || !continuation(p[2])) return 0;
    if (b == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (b == 0xED && p[1] >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (left < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) return 0;
    if (b == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (b == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

/** The surrogate encoded as a 3-byte sequence at p (modified UTF-8), or 0. */
unsigned surrogateAt(const uint8_t* p, size_t left, unsigned low, unsigned high) {
  if (left < 3 || p[0] != 0xED || !continuation(p[1]) || !continuation(p[2])) return 0;
  unsigned unit = 0xD000u | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
  return unit >= low && unit <= high ? unit : 0;
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t left = text.size();
  out += '"';
  while (left > 0) {
    uint8_t b = *p;
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
      ++p, --left;
      continue;
    }
    if (b < 0x20) {
      appendEscape(out, b);
      ++p, --left;
      continue;
    }
    size_t n = validSequence(p, left);
    if (n > 0) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n, left -= n;
      continue;
    }
    if (b == 0xC0 && left >= 2 && p[1] == 0x80) {  // modified UTF-8 NUL
      appendEscape(out, 0);
      p += 2, left -= 2;
      continue;
    }
    unsigned high = surrogateAt(p, left, 0xD800, 0xDBFF);
    unsigned low = high != 0 ? surrogateAt(p + 3, left - 3, 0xDC00, 0xDFFF) : 0;
    if (low != 0) {  // a supplementary character as Java's modified UTF-8 writes it
      appendEscape(out, high);
      appendEscape(out, low);
      p += 6, left -= 6;
      continue;
    }
    appendEscape(out, b);  // not text: keep the byte, as Latin-1
    ++p, --left;
  }
  out += '"';
}

void JsonWriter::separate() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (!empty_.empty()) {
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
  }
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  empty_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  if (!empty_.empty()) empty_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  appendJsonString(out_, name);
  out_ += ':';
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view bytes) {
  separate();
  appendJsonString(out_, bytes);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  separate();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::unsignedNumber(uint64_t value) {
  separate();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

}  // namespace retrace::tape::detail
