// See chunk_encoder.h. Each event is walked twice: once to size its lists (Cap'n Proto lists
// are allocated at their final length), once to fill them. Both walks stay in cache.
#include "chunk_encoder.h"

#include <algorithm>
#include <cstring>

#include "limits.h"
#include "messages.h"
#include "raw_items.h"
#include "retrace/tape/event_buffer.h"

namespace retrace::tape::detail {
namespace {

struct ExtraCounts {
  bool hasData = false;
  size_t dataBytes = 0;
  unsigned items = 0;
  unsigned fields = 0;
  unsigned frames = 0;
  bool thrown = false;
};

ExtraCounts countExtras(const uint8_t* extra, uint32_t size) {
  ExtraCounts counts;
  RawItemIterator it(extra, size);
  RawItem item;
  while (it.next(item)) {
    switch (item.tag) {
      case RawTag::kData:
        counts.hasData = true;
        counts.dataBytes += item.length;
        break;
      case RawTag::kItem:
      case RawTag::kNullItem:
        ++counts.items;
        break;
      case RawTag::kField:
        ++counts.fields;
        break;
      case RawTag::kThrownClass:
      case RawTag::kThrownMessage:
      case RawTag::kThrownErrno:
        counts.thrown = true;
        break;
      case RawTag::kFrame:
        ++counts.frames;
        break;
    }
  }
  return counts;
}

std::string_view textOf(const RawItem& item) {
  return {reinterpret_cast<const char*>(item.bytes), item.length};
}

void encodeExtras(schema::Event::Builder event, const uint8_t* extra, uint32_t size) {
  ExtraCounts counts = countExtras(extra, size);
  // Several data parts (a scatter read) are stored as one, in order.
  capnp::Data::Builder data =
      counts.hasData ? event.initData(static_cast<unsigned>(counts.dataBytes)) : capnp::Data::Builder();
  auto items = counts.items ? event.initItems(counts.items) : capnp::List<schema::Item>::Builder();
  auto fields = counts.fields ? event.initFields(counts.fields) : capnp::List<int64_t>::Builder();
  auto stack = counts.frames ? event.initStack(counts.frames) : capnp::List<schema::Frame>::Builder();
  auto thrown = counts.thrown ? event.initThrown() : schema::Thrown::Builder(nullptr);

  size_t dataAt = 0;
  unsigned itemAt = 0, fieldAt = 0, frameAt = 0;
  RawItemIterator it(extra, size);
  RawItem item;
  while (it.next(item)) {
    switch (item.tag) {
      case RawTag::kData:
        if (item.length) std::memcpy(data.begin() + dataAt, item.bytes, item.length);
        dataAt += item.length;
        break;
      case RawTag::kItem:
        // An empty string stays without bytes: isNull tells null from empty.
        if (item.length) copyInto(items[itemAt].initBytes(item.length), textOf(item));
        ++itemAt;
        break;
      case RawTag::kNullItem:
        items[itemAt++].setIsNull(true);
        break;
      case RawTag::kField: {
        int64_t value = 0;
        std::memcpy(&value, item.bytes, std::min<size_t>(item.length, sizeof value));
        fields.set(fieldAt++, value);
        break;
      }
      case RawTag::kThrownClass:
        copyInto(thrown.initClassName(item.length), textOf(item));
        break;
      case RawTag::kThrownMessage:
        copyInto(thrown.initMessage(item.length), textOf(item));
        thrown.setHasMessage(true);
        break;
      case RawTag::kThrownErrno: {
        int32_t value = 0;
        std::memcpy(&value, item.bytes, std::min<size_t>(item.length, sizeof value));
        thrown.setErrno(value);
        break;
      }
      case RawTag::kFrame: {
        int32_t line = -1;
        std::string_view method;
        if (item.length >= sizeof line) {
          std::memcpy(&line, item.bytes, sizeof line);
          method = std::string_view(reinterpret_cast<const char*>(item.bytes) + sizeof line, item.length - sizeof line);
        }
        auto frame = stack[frameAt++];
        copyInto(frame.initMethod(static_cast<unsigned>(method.size())), method);
        frame.setLine(line);
        break;
      }
    }
  }
}

}  // namespace

size_t ChunkSpan::estimatedWords() const {
  // An event is 7 words in its list (2 data + 5 pointers); extras take about their raw size
  // plus a quarter for list and struct headers. Only a hint: a message outgrowing it gets a
  // second segment.
  return 16 + static_cast<size_t>(events) * 7 + extraBytes / 8 + extraBytes / 32;
}

ChunkSpan nextChunk(const uint8_t* begin, const uint8_t* end) {
  ChunkSpan span;
  span.begin = span.end = begin;
  RawEventIterator it(begin, static_cast<size_t>(end - begin));
  RawEventHeader header;
  const uint8_t* extra;
  while (span.events < kMaxChunkEvents) {
    RawEventIterator probe = it;
    if (!probe.next(header, extra)) break;
    const uint8_t* eventEnd = extra + header.extraBytes;
    // A big event starts a chunk of its own rather than making its neighbours' chunk big.
    if (span.events > 0 && static_cast<size_t>(eventEnd - span.begin) > kMaxChunkRawBytes) break;
    it = probe;
    ++span.events;
    span.extraBytes += header.extraBytes;
    span.end = eventEnd;
  }
  return span;
}

void ChunkEncoder::encode(schema::EventChunk::Builder out, uint32_t thread, uint64_t firstIndex,
                          const ChunkSpan& span) {
  out.setThread(thread);
  out.setFirstIndex(firstIndex);
  out.setEventCount(static_cast<uint32_t>(span.events));
  auto events = out.initEvents(span.events);
  delta_.reset();
  RawEventIterator it(span.begin, static_cast<size_t>(span.end - span.begin));
  RawEventHeader header;
  const uint8_t* extra;
  for (uint32_t i = 0; i < span.events && it.next(header, extra); ++i) {
    auto event = events[i];
    event.setCall(header.call);
    event.setValue(delta_.encode(header.call, header.value));
    if (header.extraBytes > 0) encodeExtras(event, extra, header.extraBytes);
  }
}

}  // namespace retrace::tape::detail
