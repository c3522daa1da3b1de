// The thread hand-over schedule: written in frames of its own between event chunks, numbered by the
// writer, counted in the end frame, and read back as one sequence that ends at the first hole.
#include <capnp/message.h>
#include <capnp/serialize-packed.h>

#include <random>

#include "limits.h"
#include "retrace.capnp.h"
#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

std::vector<FrameRef> framesOf(const TapeReader& reader, MessageKind kind) {
  std::vector<FrameRef> frames;
  for (const FrameRef& frame : reader.frames()) {
    if (frame.kind == kind) frames.push_back(frame);
  }
  return frames;
}

/** A frame of `pid` holding `message`, as a writer would have written it. */
std::string frameBytes(uint32_t pid, capnp::MessageBuilder& message) {
  kj::VectorOutputStream out;
  capnp::writePackedMessage(out, message);
  auto payload = out.getArray();
  uint8_t header[kFrameHeaderSize];
  encodeFrameHeader(pid, payload.begin(), static_cast<uint32_t>(payload.size()), header);
  return std::string(reinterpret_cast<char*>(header), sizeof header) +
         std::string(reinterpret_cast<const char*>(payload.begin()), payload.size());
}

TEST(Handovers, RoundTripAcrossFramesBetweenEventChunks) {
  ScratchDir dir;
  const std::string path = dir.file("scheduled.retrace");
  const uint32_t pid = writeScheduledTape(path);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->handovers(pid), sampleSchedule());
  EXPECT_TRUE(reader->handoversComplete(pid));
  ASSERT_NE(reader->processEnd(pid), nullptr);
  EXPECT_EQ(reader->processEnd(pid)->handoverCount, sampleSchedule().size());

  // One frame per submission, numbered by the writer, each after the event chunk submitted before it.
  std::vector<MessageKind> kinds;
  for (const FrameRef& frame : reader->frames()) {
    if (frame.kind == MessageKind::kEventChunk || frame.kind == MessageKind::kHandovers) kinds.push_back(frame.kind);
  }
  EXPECT_EQ(kinds,
            (std::vector<MessageKind>{MessageKind::kEventChunk, MessageKind::kHandovers, MessageKind::kEventChunk,
                                      MessageKind::kHandovers, MessageKind::kEventChunk, MessageKind::kHandovers}));
  const std::vector<FrameRef> frames = framesOf(*reader, MessageKind::kHandovers);
  ASSERT_EQ(frames.size(), 3u);
  uint64_t first = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].firstIndex, first);
    EXPECT_EQ(frames[i].handoverCount, scheduledTapeFrames()[i]);
    EXPECT_EQ(frames[i].pid, pid);
    first += frames[i].handoverCount;
  }
  EXPECT_EQ(reader->eventCount(pid), 3u);  // the events are untouched by the frames between them
}

TEST(Handovers, EveryFieldAtItsLimits) {
  ScratchDir dir;
  const std::string path = dir.file("limits.retrace");
  const std::vector<HandoverRecord> schedule = {{UINT32_MAX, UINT64_MAX, 0, kEscape},
                                                {0, 0, UINT32_MAX, kYield},
                                                {7, 1ull << 40, 8, kForced},
                                                {3, 12, 4, kPreempt, UINT64_MAX}};
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(5));
    writer->submitHandovers(schedule);
    ProcessEndInfo end;
    end.handoverCount = 999;  // the writer knows better
    writer->finish(end);
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->handovers(5), schedule);
  EXPECT_EQ(reader->processEnd(5)->handoverCount, 4u);
  EXPECT_TRUE(reader->handoversComplete(5));
}

TEST(Handovers, ALongScheduleIsSplitIntoBoundedFrames) {
  ScratchDir dir;
  const std::string path = dir.file("long.retrace");
  std::mt19937_64 random(7);
  std::vector<HandoverRecord> schedule;
  for (size_t i = 0; i < 2 * detail::kMaxHandoversPerFrame + 100; ++i) {
    schedule.push_back({static_cast<uint32_t>(random() % 50), random(), static_cast<uint32_t>(random() % 50),
                        static_cast<uint8_t>(random() % 4)});
  }
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(6));
    writer->submitHandovers({schedule.begin(), schedule.begin() + 10});
    writer->submitHandovers({schedule.begin() + 10, schedule.end()});
    writer->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  std::vector<uint64_t> firsts;
  for (const FrameRef& frame : framesOf(*reader, MessageKind::kHandovers)) {
    EXPECT_LE(frame.handoverCount, detail::kMaxHandoversPerFrame);
    firsts.push_back(frame.firstIndex);
  }
  EXPECT_EQ(firsts,
            (std::vector<uint64_t>{0, 10, 10 + detail::kMaxHandoversPerFrame, 10 + 2 * detail::kMaxHandoversPerFrame}));
  EXPECT_EQ(reader->handovers(6), schedule);
  EXPECT_TRUE(reader->handoversComplete(6));
}

TEST(Handovers, CutInsideAHandoversFrameKeepsTheWholePrefix) {
  ScratchDir dir;
  const std::string path = dir.file("whole.retrace");
  const uint32_t pid = writeScheduledTape(path);
  const std::string bytes = readFile(path);
  std::vector<FrameRef> frames;
  {
    auto reader = openReader(path);
    ASSERT_TRUE(reader);
    frames = framesOf(*reader, MessageKind::kHandovers);
  }
  ASSERT_EQ(frames.size(), 3u);
  const std::vector<HandoverRecord> schedule = sampleSchedule();
  const std::string cutPath = dir.file("cut.retrace");
  // Every cut inside the second frame, header included: the first frame's entries and no more.
  const FrameRef& torn = frames[1];
  for (uint64_t cut = torn.offset + 1; cut < torn.offset + kFrameHeaderSize + torn.length; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    writeFile(cutPath, bytes.substr(0, cut));
    auto reader = openReader(cutPath);
    ASSERT_TRUE(reader);
    EXPECT_FALSE(reader->stop().clean);
    EXPECT_EQ(reader->stop().offset, torn.offset);
    EXPECT_EQ(reader->handovers(pid), std::vector<HandoverRecord>(schedule.begin(), schedule.begin() + 4));
    EXPECT_FALSE(reader->handoversComplete(pid));
    EXPECT_EQ(reader->processEnd(pid), nullptr);
  }
}

TEST(Handovers, AMissingFrameEndsTheSchedule) {
  ScratchDir dir;
  const std::string path = dir.file("whole.retrace");
  const uint32_t pid = writeScheduledTape(path);
  std::string bytes = readFile(path);
  FrameRef middle;
  {
    auto reader = openReader(path);
    ASSERT_TRUE(reader);
    middle = framesOf(*reader, MessageKind::kHandovers).at(1);
  }
  // Frames carry their own checksums: without the middle one the file reads to its end, and only
  // the schedule's numbering shows the hole.
  bytes.erase(middle.offset, kFrameHeaderSize + middle.length);
  writeFile(path, bytes);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean);
  ASSERT_NE(reader->processEnd(pid), nullptr);
  EXPECT_EQ(reader->processEnd(pid)->handoverCount, 9u);
  const std::vector<HandoverRecord> schedule = sampleSchedule();
  EXPECT_EQ(reader->handovers(pid), std::vector<HandoverRecord>(schedule.begin(), schedule.begin() + 4));
  EXPECT_FALSE(reader->handoversComplete(pid));
}

TEST(Handovers, AFrameThatRepeatsTheScheduleIsNotTaken) {
  ScratchDir dir;
  const std::string path = dir.file("repeated.retrace");
  const uint32_t pid = writeScheduledTape(path);
  std::string bytes = readFile(path);
  FrameRef first;
  {
    auto reader = openReader(path);
    ASSERT_TRUE(reader);
    first = framesOf(*reader, MessageKind::kHandovers).at(0);
  }
  // The entries read would still match the end frame's count, but a frame that does not continue
  // the schedule means the file is not the one the writer wrote. A copy after the end frame is not
  // read at all: the reader stops there and says so (the schedule before it is whole).
  writeFile(path, bytes + bytes.substr(first.offset, kFrameHeaderSize + first.length));
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().tampered);
  EXPECT_FALSE(reader->stop().clean);
  EXPECT_EQ(reader->stop().offset, bytes.size());
  EXPECT_EQ(reader->handovers(pid), sampleSchedule());
  EXPECT_EQ(reader->processEnd(pid)->handoverCount, sampleSchedule().size());
}

TEST(Handovers, AProcessWithoutHandovers) {
  ScratchDir dir;
  const std::string path = dir.file("single.retrace");
  const uint32_t pid = writeSmallTape(path);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->handovers(pid).empty());
  EXPECT_TRUE(reader->handoversComplete(pid));  // nothing was handed over, and nothing is missing
  EXPECT_EQ(reader->processEnd(pid)->handoverCount, 0u);
  EXPECT_TRUE(framesOf(*reader, MessageKind::kHandovers).empty());
  EXPECT_TRUE(reader->handovers(999).empty());
  EXPECT_FALSE(reader->handoversComplete(999));

  const std::string killed = dir.file("killed.retrace");
  const uint32_t killedPid = writeSmallTape(killed, /*withEnd=*/false);
  reader = openReader(killed);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->handovers(killedPid).empty());
  EXPECT_FALSE(reader->handoversComplete(killedPid));  // without an end frame nobody can tell
}

TEST(Handovers, EmptyAndLateSubmissionsWriteNothing) {
  ScratchDir dir;
  const std::string path = dir.file("late.retrace");
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(8));
    writer->submitHandovers({});
    writer->submitHandovers({{0, 1, 1, kYield}});
    writer->finish(ProcessEndInfo());
    writer->submitHandovers({{1, 1, 0, kYield}});
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(framesOf(*reader, MessageKind::kHandovers).size(), 1u);
  EXPECT_EQ(reader->handovers(8), (std::vector<HandoverRecord>{{0, 1, 1, kYield}}));
  EXPECT_EQ(reader->processEnd(8)->handoverCount, 1u);
  EXPECT_TRUE(reader->handoversComplete(8));
}

TEST(Handovers, TwoProcessesEachWithTheirOwnSchedule) {
  ScratchDir dir;
  const std::string path = dir.file("family.retrace");
  const std::vector<HandoverRecord> parentSchedule = sampleSchedule();
  const std::vector<HandoverRecord> childSchedule = {{0, 2, 1, kBlock}, {1, 2, 0, kYield}, {0, 5, 1, kEscape}};
  {
    auto parent = openWriter(path, TapeWriter::Mode::kCreate);
    parent->writeProcessStart(sampleStart(100));
    auto child = openWriter(path, TapeWriter::Mode::kAppend);
    child->writeProcessStart(sampleStart(200, 100));
    // Interleaved in the file: each writer numbers its own process's schedule from 0.
    for (size_t i = 0; i < parentSchedule.size(); ++i) {
      parent->submitHandovers({parentSchedule[i]});
      if (i < childSchedule.size()) child->submitHandovers({childSchedule[i]});
    }
    child->finish(ProcessEndInfo());
    parent->finish(ProcessEndInfo());
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->handovers(100), parentSchedule);
  EXPECT_EQ(reader->handovers(200), childSchedule);
  EXPECT_TRUE(reader->handoversComplete(100));
  EXPECT_TRUE(reader->handoversComplete(200));
  EXPECT_EQ(reader->processEnd(100)->handoverCount, parentSchedule.size());
  EXPECT_EQ(reader->processEnd(200)->handoverCount, childSchedule.size());
  size_t childFrames = 0;
  for (const FrameRef& frame : framesOf(*reader, MessageKind::kHandovers)) {
    if (frame.pid == 200) {
      EXPECT_EQ(frame.firstIndex, childFrames++);
    }
  }
  EXPECT_EQ(childFrames, childSchedule.size());
}

TEST(Handovers, AnUnknownKindIsACorruptFrame) {
  ScratchDir dir;
  const std::string path = dir.file("kind.retrace");
  const uint32_t pid = writeScheduledTape(path, /*withEnd=*/false);
  const std::string bytes = readFile(path);
  capnp::MallocMessageBuilder message;
  auto handovers = message.initRoot<schema::Message>().initHandovers();
  handovers.setFirstIndex(9);
  auto entries = handovers.initEntries(2);
  entries[0].setKind(kEscape);
  entries[1].setKind(5);
  writeFile(path, bytes + frameBytes(pid, message));
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->stop().clean);
  EXPECT_EQ(reader->stop().reason,
            "corrupt frame at offset " + std::to_string(bytes.size()) + " (unknown hand-over kind 5)");
  EXPECT_EQ(reader->handovers(pid), sampleSchedule());
}

TEST(Handovers, AFailedWriteLeavesAScheduleThatSaysItIsNotWhole) {
  ScratchDir dir;
  const std::string path = dir.file("failed.retrace");
  // An event too large for a frame fails the write without leaving anything of it in the file,
  // so the end frame still goes out and counts what was submitted, written or not.
  std::string huge(kMaxFrameLength + (1u << 20), '\0');
  std::mt19937_64 random(5);
  for (size_t i = 0; i < huge.size(); i += 8) {
    uint64_t word = random() | 0x0101010101010101ull;  // no zero byte: packing cannot shrink it
    std::memcpy(&huge[i], &word, 8);
  }
  const std::vector<HandoverRecord> schedule = sampleSchedule();
  std::unique_ptr<TapeWriter> writer = openWriter(path);
  writer->writeProcessStart(sampleStart(12));
  writer->submitHandovers({schedule.begin(), schedule.begin() + 4});
  EventBuffer buffer(0);
  buffer.begin(kReadBytes, static_cast<int64_t>(huge.size())).data(huge.data(), huge.size()).finish();
  ::testing::internal::CaptureStderr();
  buffer = writer->submit(0, 0, std::move(buffer));
  writer->submitHandovers({schedule.begin() + 4, schedule.end()});
  writer->finish(ProcessEndInfo());
  std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(writer->truncated());
  EXPECT_EQ(warning.find("retrace: recording truncated: "), 0u) << warning;
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  ASSERT_NE(reader->processEnd(12), nullptr);
  EXPECT_FALSE(reader->processEnd(12)->complete);
  EXPECT_EQ(reader->processEnd(12)->handoverCount, schedule.size());
  EXPECT_EQ(reader->handovers(12), std::vector<HandoverRecord>(schedule.begin(), schedule.begin() + 4));
  EXPECT_FALSE(reader->handoversComplete(12));
}

}  // namespace
}  // namespace retrace::tape::test
