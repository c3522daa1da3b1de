// A small JSON writer for the C ABI (tape_c.h): the facade gets one string per call and parses
// it with its own library, so all we need is correct commas and correct escaping.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace retrace::tape::detail {

/**
 * Appends `bytes` as a JSON string literal. Valid UTF-8 passes through; control characters,
 * quote and backslash are escaped; any other byte that is not part of valid UTF-8 becomes
 * \u00XX of that byte, so binary data survives as Latin-1. Two sequences of Java's modified
 * UTF-8 (JNI strings) are understood: C0 80 is U+0000, and a surrogate pair written as two
 * 3-byte sequences becomes the \uD8xx\uDCxx pair, so Java strings read back as themselves.
 */
void appendJsonString(std::string& out, std::string_view bytes);

class JsonWriter {
 public:
  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }

  /** An object member's name; the next value call writes its value. */
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view bytes);
  JsonWriter& number(int64_t value);
  JsonWriter& unsignedNumber(uint64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  const std::string& text() const { return out_; }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void separate();

  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool afterKey_ = false;
};

}  // namespace retrace::tape::detail
