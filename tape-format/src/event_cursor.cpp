// Iterating events (reader.h EventCursor). One chunk is decoded at a time and its memory reused
// for the next, so walking a tape of any size takes the memory of its largest chunk. Each event
// is copied out of Cap'n Proto into plain views when next() reaches it: the accessors are then
// trivial and cannot throw, and a malformed event ends the walk in next(), where we can say so.
#include <kj/exception.h>

#include "delta.h"
#include "limits.h"
#include "messages.h"
#include "packed.h"
#include "reader_impl.h"
#include "retrace.capnp.h"

namespace retrace::tape::detail {
namespace {

class ChunkCursor final : public EventCursor {
 public:
  ChunkCursor(const TapeReader::Impl& tape, std::vector<size_t> chunks) : tape_(tape), chunks_(std::move(chunks)) {}

  bool next() override {
    if (done_) return false;
    try {
      while (at_ >= events_.size()) {
        if (!load(nextChunk_)) return end();
        ++nextChunk_;
      }
      extract(events_[at_]);
      index_ = firstIndex_ + at_;
      ++at_;
      return true;
    } catch (const kj::Exception&) {
      return end();
    } catch (const std::exception&) {
      return end();
    }
  }

  uint32_t thread() const override { return thread_; }
  uint64_t index() const override { return index_; }
  uint16_t call() const override { return call_; }
  int64_t value() const override { return value_; }

  bool hasData() const override { return hasData_; }
  std::string_view data() const override { return data_; }
  size_t itemCount() const override { return items_.size(); }
  bool itemIsNull(size_t i) const override { return i < items_.size() && items_[i].isNull; }
  std::string_view item(size_t i) const override { return i < items_.size() ? items_[i].bytes : std::string_view(); }
  size_t fieldCount() const override { return fields_.size(); }
  int64_t field(size_t i) const override { return i < fields_.size() ? fields_[i] : 0; }

  bool hasThrown() const override { return hasThrown_; }
  std::string_view thrownClass() const override { return thrownClass_; }
  bool thrownHasMessage() const override { return thrownHasMessage_; }
  std::string_view thrownMessage() const override { return thrownMessage_; }
  int32_t thrownErrno() const override { return thrownErrno_; }

  size_t frameCount() const override { return frames_.size(); }
  std::string_view frameMethod(size_t i) const override {
    return i < frames_.size() ? frames_[i].method : std::string_view();
  }
  int32_t frameLine(size_t i) const override { return i < frames_.size() ? frames_[i].line : -1; }

 private:
  struct Item {
    bool isNull;
    std::string_view bytes;
  };
  struct StackFrame {
    std::string_view method;
    int32_t line;
  };

  bool end() {
    done_ = true;
    events_ = {};
    decoded_.clear();  // a finished cursor holds no chunk
    return false;
  }

  /** Decodes chunks_[i]; false when there is none or it does not decode. */
  bool load(size_t i) {
    events_ = {};
    at_ = 0;
    if (i >= chunks_.size()) return false;
    const FrameRef& frame = tape_.frames[chunks_[i]];
    std::string error;
    // As far as the index found the frame may unpack (reader_impl.h expanding), no further.
    const uint64_t maxWords =
        tape_.expanding.count(chunks_[i]) != 0 ? kMaxMessageBytes / 8 : maxStructureWords(frame.length);
    if (!decoded_.decode(tape_.payload(frame), frame.length, maxWords, error)) return false;
    auto message = decoded_.reader().getRoot<schema::Message>();
    if (!message.isEventChunk()) return false;
    auto chunk = message.getEventChunk();
    thread_ = chunk.getThread();
    firstIndex_ = chunk.getFirstIndex();
    events_ = chunk.getEvents();
    // The index took the count the writer stored beside the list: a list of another length is a
    // forged chunk, and none of it is read (the process then has fewer events than its end says).
    if (events_.size() != frame.eventCount) {
      events_ = {};
      return false;
    }
    delta_.reset();
    return true;
  }

  void extract(schema::Event::Reader event) {
    call_ = event.getCall();
    value_ = delta_.decode(call_, event.getValue());
    hasData_ = event.hasData();
    data_ = hasData_ ? view(event.getData()) : std::string_view();
    items_.clear();
    for (auto item : event.getItems()) items_.push_back(Item{item.getIsNull(), view(item.getBytes())});
    fields_.clear();
    for (int64_t field : event.getFields()) fields_.push_back(field);
    hasThrown_ = event.hasThrown();
    if (hasThrown_) {
      auto thrown = event.getThrown();
      thrownClass_ = view(thrown.getClassName());
      thrownHasMessage_ = thrown.getHasMessage();
      thrownMessage_ = view(thrown.getMessage());
      thrownErrno_ = thrown.getErrno();
    } else {
      thrownClass_ = thrownMessage_ = std::string_view();
      thrownHasMessage_ = false;
      thrownErrno_ = 0;
    }
    frames_.clear();
    for (auto frame : event.getStack()) frames_.push_back(StackFrame{view(frame.getMethod()), frame.getLine()});
  }

  const TapeReader::Impl& tape_;
  const std::vector<size_t> chunks_;
  size_t nextChunk_ = 0;
  bool done_ = false;

  DecodedMessage decoded_;
  capnp::List<schema::Event>::Reader events_;
  size_t at_ = 0;
  uint32_t thread_ = 0;
  uint64_t firstIndex_ = 0;
  DeltaTable delta_;

  uint64_t index_ = 0;
  uint16_t call_ = 0;
  int64_t value_ = 0;
  bool hasData_ = false;
  std::string_view data_;
  std::vector<Item> items_;
  std::vector<int64_t> fields_;
  bool hasThrown_ = false;
  std::string_view thrownClass_;
  bool thrownHasMessage_ = false;
  std::string_view thrownMessage_;
  int32_t thrownErrno_ = 0;
  std::vector<StackFrame> frames_;
};

}  // namespace

std::unique_ptr<EventCursor> makeEventCursor(const TapeReader::Impl& tape, std::vector<size_t> chunks) {
  return std::make_unique<ChunkCursor>(tape, std::move(chunks));
}

}  // namespace retrace::tape::detail
