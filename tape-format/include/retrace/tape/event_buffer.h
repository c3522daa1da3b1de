// The recorder's hot path: events appended to a per-thread byte buffer, no locks, no Cap'n Proto.
// The writer thread turns a full buffer into one EventChunk frame (writer.h).
//
// Raw layout of one event, native byte order (never leaves the process):
//   u16 call | u16 flags | u32 extraBytes | i64 value | extra[extraBytes]
// `extra` is a sequence of items: u8 tag | u32 length | bytes[length] (see RawTag).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace retrace::tape {

enum class RawTag : uint8_t {
  kData = 1,           // Event.data
  kItem = 2,           // one Event.items entry
  kNullItem = 3,       // one null Event.items entry (length 0)
  kField = 4,          // one Event.fields entry (8 bytes)
  kThrownClass = 5,    // Event.thrown.className
  kThrownMessage = 6,  // Event.thrown.message (presence means hasMessage)
  kThrownErrno = 7,    // Event.thrown.errno (4 bytes)
  kFrame = 8,          // one Event.stack entry: i32 line then the method text
};

struct RawEventHeader {
  uint16_t call;
  uint16_t flags;
  uint32_t extraBytes;
  int64_t value;
};
static_assert(sizeof(RawEventHeader) == 16);

class EventBuffer {
 public:
  explicit EventBuffer(size_t reserve = 64 * 1024) { bytes_.reserve(reserve); }

  /** The common case: a call whose whole answer is one number (clocks, sizes, booleans). */
  void appendValue(uint16_t call, int64_t value) {
    RawEventHeader header{call, 0, 0, value};
    append(&header, sizeof header);
    ++events_;
  }

  /** Builds one event with extra parts; the event is committed by finish(). */
  class Builder {
   public:
    Builder& data(const void* bytes, size_t length) { return item(RawTag::kData, bytes, length); }
    /** Room for `length` bytes of Event.data, to be filled before the next call on this buffer. */
    uint8_t* dataSpace(size_t length);
    Builder& item(const void* bytes, size_t length) { return item(RawTag::kItem, bytes, length); }
    Builder& nullItem() { return item(RawTag::kNullItem, nullptr, 0); }
    Builder& field(int64_t value) { return item(RawTag::kField, &value, sizeof value); }
    Builder& thrown(std::string_view className, const char* message, int32_t errnoValue) {
      item(RawTag::kThrownClass, className.data(), className.size());
      if (message != nullptr) item(RawTag::kThrownMessage, message, std::strlen(message));
      return item(RawTag::kThrownErrno, &errnoValue, sizeof errnoValue);
    }
    Builder& frame(std::string_view method, int32_t line);
    void finish();

   private:
    friend class EventBuffer;
    Builder(EventBuffer& buffer, size_t start) : buffer_(buffer), start_(start) {}
    Builder& item(RawTag tag, const void* bytes, size_t length);
    EventBuffer& buffer_;
    size_t start_;
  };

  Builder begin(uint16_t call, int64_t value) {
    size_t start = bytes_.size();
    RawEventHeader header{call, 0, 0, value};
    append(&header, sizeof header);
    return Builder(*this, start);
  }

  size_t size() const { return bytes_.size(); }
  uint64_t eventCount() const { return events_; }
  bool empty() const { return events_ == 0; }
  const uint8_t* bytes() const { return bytes_.data(); }
  void clear() {
    bytes_.clear();
    events_ = 0;
  }

 private:
  void append(const void* p, size_t n) {
    size_t at = bytes_.size();
    bytes_.resize(at + n);
    std::memcpy(bytes_.data() + at, p, n);
  }
  std::vector<uint8_t> bytes_;
  uint64_t events_ = 0;
};

/** Walks the events of a raw buffer (used by the writer thread and by tests). */
class RawEventIterator {
 public:
  RawEventIterator(const uint8_t* bytes, size_t size) : p_(bytes), end_(bytes + size) {}
  /** Next event; false at the end. `extra` points at its extraBytes of items. */
  bool next(RawEventHeader& header, const uint8_t*& extra);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace retrace::tape
