// The out-of-line half of the hot path (event_buffer.h): events with extra parts. Items are
// appended as tag | length | bytes and the event header is patched once at the end, so the
// agent never has to know the size of an answer before it starts copying it.
#include "retrace/tape/event_buffer.h"

#include <algorithm>
#include <cstddef>

namespace retrace::tape {
namespace {

constexpr size_t kItemHeaderSize = 5;  // u8 tag | u32 length

}  // namespace

EventBuffer::Builder& EventBuffer::Builder::item(RawTag tag, const void* bytes, size_t length) {
  // Java arrays and strings are shorter than 2^31, so the clamp never cuts a real answer; it only
  // keeps a corrupt length from wrapping the u32.
  auto n = static_cast<uint32_t>(std::min<size_t>(length, UINT32_MAX));
  uint8_t header[kItemHeaderSize];
  header[0] = static_cast<uint8_t>(tag);
  std::memcpy(header + 1, &n, sizeof n);
  buffer_.append(header, sizeof header);
  if (n > 0) buffer_.append(bytes, n);
  return *this;
}

uint8_t* EventBuffer::Builder::dataSpace(size_t length) {
  auto n = static_cast<uint32_t>(std::min<size_t>(length, UINT32_MAX));
  uint8_t header[kItemHeaderSize];
  header[0] = static_cast<uint8_t>(RawTag::kData);
  std::memcpy(header + 1, &n, sizeof n);
  buffer_.append(header, sizeof header);
  size_t at = buffer_.bytes_.size();
  buffer_.bytes_.resize(at + n);
  return buffer_.bytes_.data() + at;
}

EventBuffer::Builder& EventBuffer::Builder::frame(std::string_view method, int32_t line) {
  auto textLength = static_cast<uint32_t>(std::min<size_t>(method.size(), UINT32_MAX - sizeof line));
  uint32_t n = static_cast<uint32_t>(sizeof line) + textLength;
  uint8_t header[kItemHeaderSize + sizeof line];
  header[0] = static_cast<uint8_t>(RawTag::kFrame);
  std::memcpy(header + 1, &n, sizeof n);
  std::memcpy(header + kItemHeaderSize, &line, sizeof line);
  buffer_.append(header, sizeof header);
  if (textLength > 0) buffer_.append(method.data(), textLength);
  return *this;
}

void EventBuffer::Builder::finish() {
  size_t extra = buffer_.bytes_.size() - start_ - sizeof(RawEventHeader);
  auto extraBytes = static_cast<uint32_t>(std::min<size_t>(extra, UINT32_MAX));
  // Headers sit at any byte offset after an event with extras, hence memcpy, not a cast.
  std::memcpy(buffer_.bytes_.data() + start_ + offsetof(RawEventHeader, extraBytes), &extraBytes, sizeof extraBytes);
  ++buffer_.events_;
}

bool RawEventIterator::next(RawEventHeader& header, const uint8_t*& extra) {
  if (static_cast<size_t>(end_ - p_) < sizeof header) return false;
  std::memcpy(&header, p_, sizeof header);
  const uint8_t* body = p_ + sizeof header;
  if (header.extraBytes > static_cast<size_t>(end_ - body)) {
    p_ = end_;  // a torn event (never finished) ends the walk instead of reading past the buffer
    return false;
  }
  extra = body;
  p_ = body + header.extraBytes;
  return true;
}

}  // namespace retrace::tape
