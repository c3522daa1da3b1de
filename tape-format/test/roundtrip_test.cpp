// Write a tape, read it back, compare every field. Also: delta coding at the edges of int64,
// the size of clock events, large buffers split into chunks, several processes in one file,
// and what a write failure leaves behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include <capnp/message.h>
#include <capnp/serialize-packed.h>

#include "retrace.capnp.h"
#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

// ---- a model of one event, to write and to compare -----------------------------------------

struct Thrown {
  std::string className;
  std::optional<std::string> message;
  int32_t errnoValue = 0;
};

struct Event {
  Event() = default;
  Event(uint16_t c, int64_t v) : call(c), value(v) {}
  uint16_t call = 0;
  int64_t value = 0;
  std::optional<std::string> data;
  std::vector<std::optional<std::string>> items;
  std::vector<int64_t> fields;
  std::optional<Thrown> thrown;
  std::vector<std::pair<std::string, int32_t>> stack;
};

void append(EventBuffer& buffer, const Event& e) {
  if (!e.data && e.items.empty() && e.fields.empty() && !e.thrown && e.stack.empty()) {
    buffer.appendValue(e.call, e.value);
    return;
  }
  auto builder = buffer.begin(e.call, e.value);
  if (e.data) builder.data(e.data->data(), e.data->size());
  for (const auto& item : e.items) {
    if (item) {
      builder.item(item->data(), item->size());
    } else {
      builder.nullItem();
    }
  }
  for (int64_t field : e.fields) builder.field(field);
  if (e.thrown)
    builder.thrown(e.thrown->className, e.thrown->message ? e.thrown->message->c_str() : nullptr, e.thrown->errnoValue);
  for (const auto& [method, line] : e.stack) builder.frame(method, line);
  builder.finish();
}

void expectEvent(const EventCursor& c, const Event& e, uint64_t index, uint32_t thread) {
  SCOPED_TRACE("thread " + std::to_string(thread) + " index " + std::to_string(index));
  EXPECT_EQ(c.thread(), thread);
  EXPECT_EQ(c.index(), index);
  EXPECT_EQ(c.call(), e.call);
  EXPECT_EQ(c.value(), e.value);
  EXPECT_EQ(c.hasData(), e.data.has_value());
  if (e.data) {
    EXPECT_EQ(c.data(), *e.data);
  }
  ASSERT_EQ(c.itemCount(), e.items.size());
  for (size_t i = 0; i < e.items.size(); ++i) {
    EXPECT_EQ(c.itemIsNull(i), !e.items[i].has_value()) << "item " << i;
    if (e.items[i]) {
      EXPECT_EQ(c.item(i), *e.items[i]) << "item " << i;
    }
  }
  ASSERT_EQ(c.fieldCount(), e.fields.size());
  for (size_t i = 0; i < e.fields.size(); ++i) EXPECT_EQ(c.field(i), e.fields[i]);
  EXPECT_EQ(c.hasThrown(), e.thrown.has_value());
  if (e.thrown) {
    EXPECT_EQ(c.thrownClass(), e.thrown->className);
    EXPECT_EQ(c.thrownHasMessage(), e.thrown->message.has_value());
    if (e.thrown->message) {
      EXPECT_EQ(c.thrownMessage(), *e.thrown->message);
    }
    EXPECT_EQ(c.thrownErrno(), e.thrown->errnoValue);
  }
  ASSERT_EQ(c.frameCount(), e.stack.size());
  for (size_t i = 0; i < e.stack.size(); ++i) {
    EXPECT_EQ(c.frameMethod(i), e.stack[i].first);
    EXPECT_EQ(c.frameLine(i), e.stack[i].second);
  }
}

/** Runs `body` with fd 2 going to a file; returns what was written there. */
template <typename Body>
std::string captureStderr(const std::string& file, Body body) {
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, STDERR_FILENO);
  ::close(fd);
  body();
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  ::close(saved);
  return readFile(file);
}

void expectSameStart(const ProcessStartInfo& a, const ProcessStartInfo& b) {
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.parentPid, b.parentPid);
  EXPECT_EQ(a.parentEventIndex, b.parentEventIndex);
  EXPECT_EQ(a.argv, b.argv);
  EXPECT_EQ(a.javaHome, b.javaHome);
  EXPECT_EQ(a.jvmVersion, b.jvmVersion);
  EXPECT_EQ(a.cwd, b.cwd);
  EXPECT_EQ(a.env, b.env);
  EXPECT_EQ(a.systemProperties, b.systemProperties);
  ASSERT_EQ(a.code.size(), b.code.size());
  for (size_t i = 0; i < a.code.size(); ++i) {
    EXPECT_EQ(a.code[i].path, b.code[i].path);
    EXPECT_EQ(a.code[i].role, b.code[i].role);
    EXPECT_EQ(a.code[i].crc32c, b.code[i].crc32c);
    EXPECT_EQ(a.code[i].size, b.code[i].size);
  }
  EXPECT_EQ(a.startTimeMillis, b.startTimeMillis);
  EXPECT_EQ(a.agentOptions, b.agentOptions);
  ASSERT_EQ(a.calls.size(), b.calls.size());
  for (size_t i = 0; i < a.calls.size(); ++i) {
    EXPECT_EQ(a.calls[i].id, b.calls[i].id);
    EXPECT_EQ(a.calls[i].className, b.calls[i].className);
    EXPECT_EQ(a.calls[i].method, b.calls[i].method);
    EXPECT_EQ(a.calls[i].descriptor, b.calls[i].descriptor);
  }
}

/** Reads every event of pid/thread and compares it with `expected`. */
void expectThread(const TapeReader& reader, uint32_t pid, uint32_t thread, const std::vector<Event>& expected) {
  auto cursor = reader.events(pid, thread);
  size_t n = 0;
  while (cursor->next()) {
    ASSERT_LT(n, expected.size()) << "more events than written on thread " << thread;
    expectEvent(*cursor, expected[n], n, thread);
    ++n;
  }
  EXPECT_EQ(n, expected.size()) << "thread " << thread;
  EXPECT_FALSE(cursor->next());  // stays at the end
}

std::vector<Event> handWrittenEvents() {
  std::vector<Event> events;
  events.push_back({kNanoTime, 100});
  events.push_back({kNanoTime, 150});
  Event read{kReadBytes, 5};
  read.data = std::string("ab\0\xff\n", 5);
  events.push_back(read);
  Event emptyRead{kReadBytes, 0};
  emptyRead.data = std::string();  // a read of zero bytes still has data, of length 0
  events.push_back(emptyRead);
  Event environ{kEnviron, 3};
  environ.items = {std::string("A=1"), std::nullopt, std::string(), std::string("\xc0\x80", 2)};
  events.push_back(environ);
  Event notFound{kOpen, 0};
  notFound.items = {std::string("/nope")};
  notFound.thrown = Thrown{"java.io.FileNotFoundException", std::string("/nope (No such file or directory)"), 2};
  events.push_back(notFound);
  Event noMessage{kOpen, 0};
  noMessage.thrown = Thrown{"java.lang.NullPointerException", std::nullopt, 0};
  events.push_back(noMessage);
  Event emptyMessage{kOpen, 0};
  emptyMessage.thrown = Thrown{"java.io.IOException", std::string(), -1};
  events.push_back(emptyMessage);
  Event stat{kOpen, 1};
  stat.fields = {1, -1, INT64_MAX, INT64_MIN, 0};
  events.push_back(stat);
  Event deep{kReadBytes, -1};
  deep.stack = {{"java.io.FileInputStream.readBytes(FileInputStream.java)", -1},
                {"java.io.FileInputStream.read(FileInputStream.java)", 276},
                {"com.example.Main.main(Main.java)", 12}};
  events.push_back(deep);
  Event everything{kReadBytes, INT64_MIN};
  everything.data = std::string(1000, 'x');
  everything.items = {std::nullopt, std::string("item")};
  everything.fields = {42};
  everything.thrown = Thrown{"java.io.IOException", std::string("Broken pipe"), 32};
  everything.stack = {{"a.B.c(B.java)", 1}};
  events.push_back(everything);
  events.push_back({kCurrentTimeMillis, 1700000000000});
  events.push_back({kNanoTime, 149});  // a step backwards
  return events;
}

TEST(RoundTrip, EveryFieldOfEveryMessage) {
  ScratchDir dir;
  const std::string path = dir.file("run.retrace");
  const ProcessStartInfo start = sampleStart(31337);
  const std::vector<Event> main = handWrittenEvents();
  std::vector<Event> worker;
  for (int i = 0; i < 5; ++i) worker.push_back({kCurrentTimeMillis, 1700000000000 + i});
  worker[3].data = std::string("worker data");

  ProcessEndInfo end;
  end.exitStatus = 3;
  end.complete = true;
  end.eventCount = main.size() + worker.size();
  end.endTimeMillis = 1700000009999;
  end.truncatedReason = "";
  end.threads = {{0, "main"}, {1, "pool-1-thread-1"}, {2, "never-called"}, {7, "only-in-end"}};
  end.cleared = {true, 2000, 12, 3, 1};
  {
    auto writer = openWriter(path);
    ASSERT_TRUE(writer);
    writer->writeProcessStart(start);
    EXPECT_EQ(writer->pid(), 31337u);
    writer->submitThreadStart({0, "main"});
    writer->submitThreadStart({1, "pool-1-thread-1", true, 0, 3});
    writer->submitThreadStart({2, "never-called"});
    EventBuffer buffer;
    for (const Event& e : main) append(buffer, e);
    EXPECT_EQ(buffer.eventCount(), main.size());
    buffer = writer->submit(0, 0, std::move(buffer));
    EXPECT_TRUE(buffer.empty());
    // The worker's events arrive in two buffers; the second continues at index 3.
    for (int i = 0; i < 3; ++i) append(buffer, worker[i]);
    buffer = writer->submit(1, 0, std::move(buffer));
    for (int i = 3; i < 5; ++i) append(buffer, worker[i]);
    buffer = writer->submit(1, 3, std::move(buffer));
    writer->finish(end);
    EXPECT_FALSE(writer->truncated());
    EXPECT_EQ(writer->bytesWritten(), readFile(path).size());
  }

  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->shebang(), "#!/opt/retrace/bin/retrace-replay --recording");
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->stop().offset, reader->fileSize());
  EXPECT_EQ(reader->pids(), std::vector<uint32_t>{31337});

  const auto& frames = reader->frames();
  ASSERT_EQ(frames.size(), 1u + 3 + 3 + 1);
  EXPECT_EQ(frames.front().kind, MessageKind::kProcessStart);
  EXPECT_EQ(frames.back().kind, MessageKind::kProcessEnd);
  EXPECT_EQ(frames.front().offset, reader->shebang().size() + 1);
  uint64_t chunkEvents = 0;
  for (const FrameRef& frame : frames) {
    EXPECT_EQ(frame.pid, 31337u);
    if (frame.kind == MessageKind::kEventChunk) chunkEvents += frame.eventCount;
  }
  EXPECT_EQ(frames[1].kind, MessageKind::kThreadStart);
  EXPECT_EQ(frames[2].thread, 1u);
  EXPECT_EQ(frames[4].kind, MessageKind::kEventChunk);
  EXPECT_EQ(frames[4].eventCount, main.size());
  EXPECT_EQ(frames[6].firstIndex, 3u);
  EXPECT_EQ(chunkEvents, main.size() + worker.size());
  EXPECT_EQ(reader->eventCount(31337), main.size() + worker.size());

  const ProcessStartInfo* readStart = reader->processStart(31337);
  ASSERT_NE(readStart, nullptr);
  EXPECT_EQ(readStart->formatVersion, kFormatVersion);
  expectSameStart(*readStart, start);

  const ProcessEndInfo* readEnd = reader->processEnd(31337);
  ASSERT_NE(readEnd, nullptr);
  EXPECT_EQ(readEnd->exitStatus, 3);
  EXPECT_TRUE(readEnd->complete);
  EXPECT_EQ(readEnd->eventCount, end.eventCount);
  EXPECT_EQ(readEnd->endTimeMillis, end.endTimeMillis);
  EXPECT_EQ(readEnd->truncatedReason, "");
  ASSERT_EQ(readEnd->threads.size(), 4u);
  EXPECT_EQ(readEnd->threads[1].name, "pool-1-thread-1");
  EXPECT_TRUE(readEnd->cleared.counted);
  EXPECT_EQ(readEnd->cleared.weak, 2000u);
  EXPECT_EQ(readEnd->cleared.soft, 12u);
  EXPECT_EQ(readEnd->cleared.phantom, 3u);
  EXPECT_EQ(readEnd->cleared.finalized, 1u);

  auto threads = reader->threads(31337);
  ASSERT_EQ(threads.size(), 4u);
  EXPECT_EQ(threads[0].name, "main");
  EXPECT_FALSE(threads[0].started);
  EXPECT_TRUE(threads[1].started);  // its lineage: the 4th thread started by thread 0
  EXPECT_EQ(threads[1].parent, 0u);
  EXPECT_EQ(threads[1].childIndex, 3u);
  EXPECT_EQ(threads[2].name, "never-called");
  EXPECT_EQ(threads[3].thread, 7u);
  EXPECT_EQ(threads[3].name, "only-in-end");

  expectThread(*reader, 31337, 0, main);
  expectThread(*reader, 31337, 1, worker);
  expectThread(*reader, 31337, 2, {});
  expectThread(*reader, 999, 0, {});  // an unknown pid is an empty sequence, not an error

  auto all = reader->allEvents(31337);
  size_t n = 0;
  while (all->next()) ++n;
  EXPECT_EQ(n, main.size() + worker.size());
  EXPECT_EQ(reader->processStart(999), nullptr);
  EXPECT_EQ(reader->processEnd(999), nullptr);
}

TEST(RoundTrip, RandomEventsAcrossThreadsAndBuffers) {
  ScratchDir dir;
  const std::string path = dir.file("random.retrace");
  std::mt19937_64 random(2024);
  auto text = [&](size_t max) {
    std::string s(random() % (max + 1), '\0');
    for (auto& ch : s) ch = static_cast<char>(random());
    return s;
  };
  const int kThreads = 4;
  std::vector<std::vector<Event>> expected(kThreads);
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(77));
    std::vector<EventBuffer> buffers(kThreads);
    std::vector<uint64_t> submitted(kThreads, 0);
    for (int i = 0; i < 20000; ++i) {
      uint32_t thread = static_cast<uint32_t>(random() % kThreads);
      Event e;
      e.call = static_cast<uint16_t>(random() % 6 == 0 ? random() : random() % 8);
      e.value = static_cast<int64_t>(random() % 3 == 0 ? random() : random() % 100000);
      if (random() % 5 == 0) e.data = text(300);
      if (random() % 7 == 0) {
        for (size_t k = random() % 4; k > 0; --k) {
          e.items.push_back(random() % 3 == 0 ? std::nullopt : std::optional<std::string>(text(40)));
        }
      }
      if (random() % 9 == 0) {
        for (size_t k = random() % 14; k > 0; --k) e.fields.push_back(static_cast<int64_t>(random()));
      }
      if (random() % 11 == 0) {
        std::string message = text(30);
        message.erase(std::remove(message.begin(), message.end(), '\0'), message.end());  // a C string
        e.thrown = Thrown{text(20), random() % 2 ? std::optional<std::string>(message) : std::nullopt,
                          static_cast<int32_t>(random())};
      }
      if (random() % 13 == 0) {
        for (size_t k = random() % 5; k > 0; --k) e.stack.emplace_back(text(50), static_cast<int32_t>(random()));
      }
      append(buffers[thread], e);
      expected[thread].push_back(e);
      if (random() % 500 == 0 || buffers[thread].size() > 64 * 1024) {
        uint64_t count = buffers[thread].eventCount();
        buffers[thread] = writer->submit(thread, submitted[thread], std::move(buffers[thread]));
        submitted[thread] += count;
      }
    }
    for (uint32_t thread = 0; thread < kThreads; ++thread) {
      buffers[thread] = writer->submit(thread, submitted[thread], std::move(buffers[thread]));
    }
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  for (uint32_t thread = 0; thread < kThreads; ++thread) expectThread(*reader, 77, thread, expected[thread]);
}

TEST(RoundTrip, DeltaCodingSurvivesTheEdgesOfInt64) {
  ScratchDir dir;
  const std::string path = dir.file("delta.retrace");
  const std::vector<int64_t> values = {INT64_MIN, INT64_MAX,     0, -1,        INT64_MIN, 5, 3, -1000000, INT64_MAX,
                                       INT64_MAX, INT64_MIN + 1, 1, INT64_MIN, -2,        0};
  std::vector<Event> expected;
  for (size_t i = 0; i < values.size(); ++i) {
    expected.push_back({kNanoTime, values[i]});
    expected.push_back({kCurrentTimeMillis, -(values[values.size() - 1 - i] / 3)});  // interleaved call
    expected.push_back({static_cast<uint16_t>(65535), values[i] ^ 0x5555});
  }
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(5));
    EventBuffer buffer;
    for (const Event& e : expected) append(buffer, e);
    buffer = writer->submit(0, 0, std::move(buffer));
    // The same values again in a second chunk: each chunk starts from absolute values.
    for (const Event& e : expected) append(buffer, e);
    buffer = writer->submit(0, expected.size(), std::move(buffer));
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  std::vector<Event> twice = expected;
  twice.insert(twice.end(), expected.begin(), expected.end());
  expectThread(*reader, 5, 0, twice);
}

TEST(RoundTrip, DataWrittenInPlaceReadsBack) {
  ScratchDir dir;
  const std::string path = dir.file("in-place.retrace");
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(6));
    EventBuffer buffer;
    EventBuffer::Builder event = buffer.begin(32, 5);
    std::memcpy(event.dataSpace(5), "hello", 5);
    event.item("x", 1);
    event.finish();
    EventBuffer::Builder empty = buffer.begin(32, 0);
    empty.dataSpace(0);  // an empty read is still an event with (empty) data
    empty.finish();
    buffer = writer->submit(0, 0, std::move(buffer));
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  auto cursor = reader->events(6, 0);
  ASSERT_TRUE(cursor->next());
  EXPECT_EQ(cursor->value(), 5);
  EXPECT_EQ(cursor->data(), "hello");
  ASSERT_EQ(cursor->itemCount(), 1u);
  EXPECT_EQ(cursor->item(0), "x");
  ASSERT_TRUE(cursor->next());
  EXPECT_EQ(cursor->value(), 0);
  EXPECT_TRUE(cursor->data().empty());
  EXPECT_FALSE(cursor->next());
}

TEST(RoundTrip, ClockEventsTakeUnder16BytesEach) {
  ScratchDir dir;
  const std::string path = dir.file("clock.retrace");
  const size_t kEvents = 100000;
  std::mt19937_64 random(1);
  std::vector<int64_t> values;
  int64_t now = 1234567890123456;  // a nanoTime reading
  for (size_t i = 0; i < kEvents; ++i) values.push_back(now += static_cast<int64_t>(random() % 1000));
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(9));
    // As the agent does: a 64 KiB buffer per thread, handed over when full.
    EventBuffer buffer;
    uint64_t first = 0;
    for (size_t i = 0; i < kEvents; ++i) {
      buffer.appendValue(kNanoTime, values[i]);
      if (buffer.size() >= 64 * 1024) {
        uint64_t count = buffer.eventCount();
        buffer = writer->submit(0, first, std::move(buffer));
        first += count;
      }
    }
    buffer = writer->submit(0, first, std::move(buffer));
    writer->finish(ProcessEndInfo());
  }
  const double bytesPerEvent = static_cast<double>(readFile(path).size()) / kEvents;
  std::cout << "[ measure  ] 100000 clock events: " << bytesPerEvent << " bytes of file per event\n";
  RecordProperty("bytesPerClockEvent", std::to_string(bytesPerEvent));
  ASSERT_LT(bytesPerEvent, 16.0);

  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  auto cursor = reader->events(9, 0);
  size_t n = 0;
  while (cursor->next()) {
    ASSERT_EQ(cursor->value(), values[n]);
    ASSERT_EQ(cursor->index(), n);
    ++n;
  }
  EXPECT_EQ(n, kEvents);
}

TEST(RoundTrip, LargeBuffersAreSplitIntoBoundedChunks) {
  ScratchDir dir;
  const std::string path = dir.file("large.retrace");
  const size_t kClockEvents = 150000;
  const size_t kReads = 40;
  const std::string megabyte(1 << 20, 'q');
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(10));
    EventBuffer clocks(0);
    for (size_t i = 0; i < kClockEvents; ++i) clocks.appendValue(kNanoTime, static_cast<int64_t>(i * 3));
    clocks = writer->submit(0, 0, std::move(clocks));
    EventBuffer reads(0);
    for (size_t i = 0; i < kReads; ++i) {
      std::string data = megabyte;
      data[0] = static_cast<char>('a' + i % 26);
      reads.begin(kReadBytes, static_cast<int64_t>(data.size())).data(data.data(), data.size()).finish();
    }
    reads = writer->submit(1, 0, std::move(reads));
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  size_t clockChunks = 0, readChunks = 0;
  uint64_t nextClock = 0, nextRead = 0;
  for (const FrameRef& frame : reader->frames()) {
    EXPECT_LE(frame.length, kMaxFrameLength);
    if (frame.kind != MessageKind::kEventChunk) continue;
    EXPECT_LE(frame.eventCount, 64u * 1024);
    if (frame.thread == 0) {
      EXPECT_EQ(frame.firstIndex, nextClock);
      nextClock += frame.eventCount;
      ++clockChunks;
    } else {
      EXPECT_EQ(frame.firstIndex, nextRead);
      EXPECT_LE(frame.length, 9u << 20);
      nextRead += frame.eventCount;
      ++readChunks;
    }
  }
  EXPECT_EQ(nextClock, kClockEvents);
  EXPECT_EQ(nextRead, kReads);
  EXPECT_GE(clockChunks, 3u);
  EXPECT_GE(readChunks, 5u);
  auto cursor = reader->events(10, 1);
  size_t n = 0;
  while (cursor->next()) {
    ASSERT_EQ(cursor->data().size(), megabyte.size());
    EXPECT_EQ(cursor->data()[0], static_cast<char>('a' + n % 26));
    EXPECT_EQ(cursor->data().substr(1), std::string_view(megabyte).substr(1));
    ++n;
  }
  EXPECT_EQ(n, kReads);
}

TEST(RoundTrip, ABigEventGetsAChunkOfItsOwn) {
  ScratchDir dir;
  const std::string path = dir.file("big.retrace");
  const std::string big(10u << 20, 'b');
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(11));
    EventBuffer buffer(0);
    for (int i = 0; i < 100; ++i) buffer.appendValue(kNanoTime, i);
    buffer.begin(kReadBytes, 1).data(big.data(), big.size()).finish();
    for (int i = 0; i < 100; ++i) buffer.appendValue(kNanoTime, i);
    buffer = writer->submit(0, 0, std::move(buffer));
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  std::vector<uint32_t> counts;
  for (const FrameRef& frame : reader->frames()) {
    if (frame.kind == MessageKind::kEventChunk) counts.push_back(frame.eventCount);
  }
  EXPECT_EQ(counts, (std::vector<uint32_t>{100, 1, 100}));
}

TEST(WriteFailure, AnEventTooLargeForAFrameTruncatesTheTape) {
  ScratchDir dir;
  const std::string path = dir.file("huge.retrace");
  std::string huge(kMaxFrameLength + (1u << 20), '\0');
  std::mt19937_64 random(5);
  for (size_t i = 0; i < huge.size(); i += 8) {
    uint64_t word = random() | 0x0101010101010101ull;  // no zero byte: packing cannot shrink it
    std::memcpy(&huge[i], &word, 8);
  }
  std::unique_ptr<TapeWriter> writer;
  std::string stderrText = captureStderr(dir.file("stderr"), [&] {
    writer = openWriter(path);
    writer->writeProcessStart(sampleStart(12));
    EventBuffer buffer(0);
    buffer.appendValue(kNanoTime, 1);
    buffer = writer->submit(0, 0, std::move(buffer));
    buffer.begin(kReadBytes, static_cast<int64_t>(huge.size())).data(huge.data(), huge.size()).finish();
    buffer = writer->submit(0, 1, std::move(buffer));
    buffer.appendValue(kNanoTime, 2);
    buffer = writer->submit(0, 2, std::move(buffer));
    writer->finish(ProcessEndInfo());
  });
  EXPECT_TRUE(writer->truncated());
  EXPECT_EQ(stderrText.find("retrace: recording truncated: an event of "), 0u) << stderrText;
  EXPECT_EQ(std::count(stderrText.begin(), stderrText.end(), '\n'), 1);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean);
  EXPECT_EQ(reader->eventCount(12), 1u);  // the event before; nothing from the failure on
  const ProcessEndInfo* end = reader->processEnd(12);
  ASSERT_NE(end, nullptr);  // nothing of the failed frame was written, so the end frame was
  EXPECT_FALSE(end->complete);
  EXPECT_EQ(end->truncatedReason, writer->truncatedReason());
}

TEST(RoundTrip, TwoProcessesAppendToOneFile) {
  ScratchDir dir;
  const std::string path = dir.file("family.retrace");
  const size_t kEvents = 30000;
  auto parent = openWriter(path, TapeWriter::Mode::kCreate);
  parent->writeProcessStart(sampleStart(100));
  auto child = openWriter(path, TapeWriter::Mode::kAppend);
  child->writeProcessStart(sampleStart(200, 100));
  auto record = [&](TapeWriter& writer, int64_t base) {
    EventBuffer buffer;
    uint64_t first = 0;
    for (size_t i = 0; i < kEvents; ++i) {
      buffer.appendValue(kNanoTime, base + static_cast<int64_t>(i));
      if (buffer.eventCount() == 500) {
        buffer = writer.submit(0, first, std::move(buffer));
        first += 500;
      }
    }
    buffer = writer.submit(0, first, std::move(buffer));
  };
  std::thread a(record, std::ref(*parent), 1000000);
  std::thread b(record, std::ref(*child), 2000000);
  a.join();
  b.join();
  child->finish(ProcessEndInfo());
  parent->finish(ProcessEndInfo());
  parent.reset();
  child.reset();

  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->pids(), (std::vector<uint32_t>{100, 200}));
  ASSERT_NE(reader->processStart(200), nullptr);
  EXPECT_EQ(reader->processStart(200)->parentPid, 100u);
  EXPECT_EQ(reader->processStart(200)->parentEventIndex, 42u);
  for (uint32_t pid : {100u, 200u}) {
    EXPECT_NE(reader->processEnd(pid), nullptr) << pid;
    auto cursor = reader->events(pid, 0);
    int64_t base = pid == 100 ? 1000000 : 2000000;
    size_t n = 0;
    while (cursor->next()) {
      ASSERT_EQ(cursor->value(), base + static_cast<int64_t>(n)) << pid;
      ++n;
    }
    EXPECT_EQ(n, kEvents) << pid;
  }
  // One shebang line: the second writer appended only frames.
  EXPECT_EQ(readFile(path).find("#!", 2), std::string::npos);
}

TEST(RoundTrip, TapeIsOwnerOnlyAndExecutable) {
  ScratchDir dir;
  const std::string path = dir.file("mode.retrace");
  writeFile(path, "old contents");
  chmod(path.c_str(), 0644);
  mode_t old = umask(022);
  writeSmallTape(path);
  umask(old);
  struct stat st = {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(readFile(path).rfind("#!/opt/retrace/bin/retrace-replay --recording\n", 0), 0u);
}

TEST(RoundTrip, WriterDestroyedWithoutFinishLeavesAnIncompleteTape) {
  ScratchDir dir;
  const std::string path = dir.file("killed.retrace");
  const uint32_t pid = writeSmallTape(path, /*withEnd=*/false);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean);
  EXPECT_EQ(reader->processEnd(pid), nullptr);
  EXPECT_EQ(reader->eventCount(pid), 7u);
}

TEST(RoundTrip, SubmitAfterFinishIsDropped) {
  ScratchDir dir;
  const std::string path = dir.file("late.retrace");
  auto writer = openWriter(path);
  writer->writeProcessStart(sampleStart(1));
  writer->finish(ProcessEndInfo());
  writer->finish(ProcessEndInfo());  // twice is harmless
  EventBuffer buffer;
  buffer.appendValue(kNanoTime, 1);
  buffer = writer->submit(0, 0, std::move(buffer));
  EXPECT_TRUE(buffer.empty());
  writer->submitThreadStart({0, "late"});
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->frames().size(), 2u);
}

TEST(WriteFailure, DiskFullWarnsOnceAndNeverThrows) {
  ScratchDir dir;
  struct stat st;
  if (stat("/dev/full", &st) != 0) GTEST_SKIP() << "no /dev/full";
  std::unique_ptr<TapeWriter> writer;
  std::string stderrText = captureStderr(dir.file("stderr"), [&] {
    std::string error;
    // A device: no shebang is written, the first frame is what fails.
    writer = TapeWriter::open("/dev/full", TapeWriter::Mode::kAppend, "#!x --recording\n", error);
    ASSERT_TRUE(writer) << error;
    writer->writeProcessStart(sampleStart(3));
    for (int i = 0; i < 10; ++i) {
      EventBuffer buffer;
      buffer.appendValue(kNanoTime, i);
      buffer = writer->submit(0, i, std::move(buffer));
      EXPECT_TRUE(buffer.empty());
    }
    writer->finish(ProcessEndInfo());
  });
  EXPECT_TRUE(writer->truncated());
  EXPECT_EQ(writer->truncatedReason(), "No space left on device");
  EXPECT_EQ(stderrText, "retrace: recording truncated: No space left on device (the program goes on unrecorded)\n");
}

TEST(WriteFailure, AFifoIsRefusedAtOnce) {
  // Opening a FIFO for writing waits for a reader: an agent started with tape=FIFO would hang.
  ScratchDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(5);
    std::string error;
    auto writer = TapeWriter::open(fifo, TapeWriter::Mode::kCreate, shebangLine("/x"), error);
    _exit(writer == nullptr && error == "not a regular file (a FIFO)" ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_FALSE(WIFSIGNALED(status)) << "the open waited for a reader";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "refused, saying it is a FIFO";
}

TEST(WriteFailure, FileSizeLimitCutsTheTapeWhereItStopped) {
  ScratchDir dir;
  const std::string path = dir.file("limited.retrace");
  const std::string errPath = dir.file("stderr");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The JVM ignores SIGXFSZ too, so a write past the limit fails with EFBIG.
    signal(SIGXFSZ, SIG_IGN);
    int fd = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    struct rlimit limit = {20000, 20000};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::string error;
    auto writer = TapeWriter::open(path, TapeWriter::Mode::kCreate, shebangLine("/x"), error);
    if (!writer) _exit(10);
    writer->writeProcessStart(sampleStart(getpid()));
    uint64_t first = 0;
    for (int round = 0; round < 40; ++round) {
      EventBuffer buffer;
      for (int i = 0; i < 512; ++i) buffer.appendValue(kNanoTime, static_cast<int64_t>(first + i) * 7919);
      buffer = writer->submit(0, first, std::move(buffer));
      first += 512;
    }
    writer->finish(ProcessEndInfo());
    _exit(writer->truncated() ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(readFile(errPath), "retrace: recording truncated: File too large (the program goes on unrecorded)\n");
  EXPECT_EQ(readFile(path).size(), 20000u);

  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->stop().clean);
  EXPECT_NE(reader->stop().reason.find("truncated frame at offset"), std::string::npos) << reader->stop().reason;
  ASSERT_EQ(reader->pids().size(), 1u);
  uint32_t pid = reader->pids()[0];
  EXPECT_EQ(reader->processEnd(pid), nullptr);
  EXPECT_GT(reader->eventCount(pid), 0u);
  // Whatever was whole is readable, in order.
  auto cursor = reader->events(pid, 0);
  uint64_t n = 0;
  while (cursor->next()) {
    ASSERT_EQ(cursor->value(), static_cast<int64_t>(n) * 7919);
    ++n;
  }
  EXPECT_EQ(n, reader->eventCount(pid));
}

TEST(Versions, AnotherFormatVersionIsRefused) {
  ScratchDir dir;
  // The version before hand-overs were recorded, and one from the future.
  for (uint32_t version : {kFormatVersion - 1, kFormatVersion + 1}) {
    SCOPED_TRACE(version);
    const std::string path = dir.file("v" + std::to_string(version) + ".retrace");
    capnp::MallocMessageBuilder message;
    auto start = message.initRoot<schema::Message>().initProcessStart();
    start.setFormatVersion(version);
    start.setPid(1);
    kj::VectorOutputStream out;
    capnp::writePackedMessage(out, message);
    auto payload = out.getArray();
    uint8_t header[kFrameHeaderSize];
    encodeFrameHeader(1, payload.begin(), static_cast<uint32_t>(payload.size()), header);
    writeFile(path, shebangLine("/x") + std::string(reinterpret_cast<char*>(header), sizeof header) +
                        std::string(reinterpret_cast<const char*>(payload.begin()), payload.size()));
    std::string error;
    EXPECT_FALSE(TapeReader::open(path, error));
    EXPECT_EQ(error, path + " was recorded with format version " + std::to_string(version) +
                         "; this build reads version " + std::to_string(kFormatVersion));
  }
}

TEST(Versions, TheSchemaAndTheHeaderAgree) {
  EXPECT_EQ(schema::FORMAT_VERSION, kFormatVersion);
  EXPECT_EQ(kFormatVersion, 4u);
}

}  // namespace
}  // namespace retrace::tape::test
