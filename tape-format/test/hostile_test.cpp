// Recordings from someone else: crafted to make the reader work without end, or put together from
// frames that do not belong to one recording. Each must open at once and say, in one line, what is
// wrong with it; a real recording of a process tree, and the largest frames a writer makes, must
// pass as they are. The tapes come from make_hostile_tape, run as a tool.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "retrace/tape/tape_c.h"
#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

std::string makeHostileTape(const ScratchDir& dir, const std::string& kind) {
  const std::string out = dir.file(kind + ".retrace");
  const std::string command = std::string("'") + MAKE_HOSTILE_TAPE_PATH + "' '" + out + "' " + kind;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return out;
}

std::string summaryJson(const std::string& path) {
  char err[512];
  rt_tape* tape = rt_tape_open(path.c_str(), err, sizeof err);
  EXPECT_NE(tape, nullptr) << err;
  if (tape == nullptr) return {};
  char* json = rt_tape_summary_json(tape);
  std::string text = json != nullptr ? json : "";
  rt_free(json);
  rt_tape_close(tape);
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool oneLine(const std::string& reason) {
  return !reason.empty() && reason.find('\n') == std::string::npos;
}

/** What opening a tape and summarising it cost, measured in a child process of its own. */
struct Cost {
  double seconds = 0;
  long growthKib = 0;  // peak resident memory above what the child started with
  bool clean = true, tampered = false;
  bool complete = true;
  bool oneLineReason = false;
};

Cost measure(const std::string& path) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    alarm(20);  // a hang fails the test instead of stalling the suite
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    Cost cost;
    auto started = std::chrono::steady_clock::now();
    std::string error;
    auto reader = TapeReader::open(path, error);
    std::string json = summaryJson(path);
    cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    cost.growthKib = after.ru_maxrss - before.ru_maxrss;
    if (reader) {
      cost.clean = reader->stop().clean;
      cost.tampered = reader->stop().tampered;
      cost.oneLineReason = oneLine(reader->stop().reason);
    }
    cost.complete = !contains(json, "\"complete\":false");
    ssize_t written = write(fds[1], &cost, sizeof cost);
    _exit(written == sizeof cost && reader ? 0 : 1);
  }
  close(fds[1]);
  Cost cost;
  EXPECT_EQ(read(fds[0], &cost, sizeof cost), static_cast<ssize_t>(sizeof cost));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  return cost;
}

TEST(Hostile, EmptyItemsExpansionIsRefusedAtOnce) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, "empty-items");
  const size_t size = readFile(path).size();
  EXPECT_GT(size, 80u * 1024);
  EXPECT_LT(size, 110u * 1024);

  Cost cost = measure(path);
  EXPECT_LT(cost.seconds, 0.5);
  // Unpacked, the frame is 96 MB of items; refused, it costs nothing like that.
  EXPECT_LT(cost.growthKib, 16 * 1024) << "KiB";
  EXPECT_FALSE(cost.clean);
  EXPECT_FALSE(cost.tampered);  // damaged (or crafted), not frames put together: one word for it
  EXPECT_TRUE(cost.oneLineReason);
  EXPECT_FALSE(cost.complete);

  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->frames().size(), 1u);  // the start frame; the bomb and what follows it do not count
  EXPECT_TRUE(contains(reader->stop().reason, "corrupt frame at offset ")) << reader->stop().reason;
  EXPECT_TRUE(contains(reader->stop().reason, "may hold")) << reader->stop().reason;
  const std::string json = summaryJson(path);
  EXPECT_TRUE(contains(json, "\"complete\":false,\"stop\":{\"clean\":false,")) << json;
  EXPECT_TRUE(contains(json, ",\"tampered\":false}")) << json;
}

// The same frame with a segment table that says it fits: the index takes it on its word, a cursor
// then finds the message is not what it says and stops at once, without unpacking it.
TEST(Hostile, UnderstatedExpansionStopsTheCursorAtOnce) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, "understated");
  Cost cost = measure(path);
  EXPECT_LT(cost.seconds, 0.5);
  EXPECT_LT(cost.growthKib, 16 * 1024) << "KiB";
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  auto cursor = reader->allEvents(4242);
  EXPECT_FALSE(cursor->next());  // the chunk does not decode within its bound: no event of it
}

// A count beside a chunk's list that is not its length (the frame's checksum is good): the chunk is
// not read, and the recording is not complete, though every frame is in order.
TEST(Hostile, AChunkWhoseCountIsNotItsLengthIsNotReadAndTheRecordingNotComplete) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, "short-count");
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->eventCount(4242), 2u);
  EXPECT_FALSE(reader->eventsComplete(4242));
  auto cursor = reader->allEvents(4242);
  EXPECT_FALSE(cursor->next());
  const std::string json = summaryJson(path);
  EXPECT_TRUE(contains(json, "\"complete\":false,")) << json;
  EXPECT_TRUE(contains(json, "\"events\":0,\"eventsComplete\":false,")) << json;
}

// The pack (retrace pack) after the frames ends them cleanly; the reader notes where it starts.
TEST(Hostile, APackAfterTheFramesIsNotDamage) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, "packed");
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_FALSE(reader->stop().tampered);
  ASSERT_EQ(reader->frames().size(), 3u);
  const FrameRef& last = reader->frames().back();
  EXPECT_EQ(reader->packOffset(), last.offset + kFrameHeaderSize + last.length);
  EXPECT_EQ(reader->stop().offset, reader->packOffset());
  EXPECT_TRUE(reader->eventsComplete(4242));
  const std::string json = summaryJson(path);
  EXPECT_TRUE(contains(json, "\"complete\":true,")) << json;
  EXPECT_TRUE(contains(json, "\"pack\":{\"offset\":" + std::to_string(reader->packOffset()) +
                                 ",\"bytes\":" + std::to_string(reader->fileSize() - reader->packOffset()) + "}"))
      << json;
}

struct Tampering {
  const char* kind;
  const char* why;    // in the reason
  size_t keptFrames;  // of the recording before the first frame that does not belong
};

class Tampered : public ::testing::TestWithParam<Tampering> {};

TEST_P(Tampered, IsReportedInOneLineAndNotComplete) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, GetParam().kind);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  const StopInfo& stop = reader->stop();
  EXPECT_FALSE(stop.clean);
  EXPECT_TRUE(stop.tampered);
  EXPECT_TRUE(oneLine(stop.reason)) << stop.reason;
  EXPECT_TRUE(contains(stop.reason, "does not belong to the recording")) << stop.reason;
  EXPECT_TRUE(contains(stop.reason, GetParam().why)) << stop.reason;
  ASSERT_EQ(reader->frames().size(), GetParam().keptFrames);
  EXPECT_EQ(stop.offset, reader->frames().back().offset + kFrameHeaderSize + reader->frames().back().length);
  EXPECT_TRUE(contains(stop.reason, "at offset " + std::to_string(stop.offset) + " ")) << stop.reason;

  const std::string json = summaryJson(path);
  EXPECT_TRUE(contains(json, "\"complete\":false,\"stop\":{\"clean\":false,")) << json;
  EXPECT_TRUE(contains(json, ",\"tampered\":true}")) << json;
}

INSTANTIATE_TEST_SUITE_P(Kinds, Tampered,
                         ::testing::Values(Tampering{"appended", "of process 4242 after its end frame", 3},
                                           Tampering{"duplicated", "a copy of the frame at offset ", 2},
                                           Tampering{"foreign", "a second root after process 4242", 3},
                                           Tampering{"concatenated", "a shebang line: the start of another", 3},
                                           Tampering{"orphan", "of process 5353 before its start frame", 3},
                                           Tampering{"repeated", "events 0.. of thread 0 of process 4242 again", 2},
                                           Tampering{"skipped", "events 4.. of thread 0 of process 4242 where event 3",
                                                     2}),
                         [](const auto& info) {
                           std::string name = info.param.kind;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(Hostile, ProcessTreePassesAsItIs) {
  ScratchDir dir;
  const std::string path = makeHostileTape(dir, "tree");
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_FALSE(reader->stop().tampered);
  EXPECT_EQ(reader->pids(), (std::vector<uint32_t>{4242, 4243, 4244}));
  EXPECT_EQ(reader->eventCount(4242), 3u);
  for (uint32_t pid : reader->pids()) EXPECT_TRUE(reader->eventsComplete(pid)) << pid;  // 4243 twice: both ends count
  const std::string json = summaryJson(path);
  EXPECT_TRUE(contains(json, "\"complete\":true,")) << json;
  EXPECT_TRUE(contains(json, ",\"tampered\":false}")) << json;
}

// The largest expansions a writer makes: a read of 32 MiB of a zero-filled file (one event, a
// chunk of its own, 32 KiB packed) and a chunk of 64K events that are all zero words (call id 0,
// which the agent does not use). Neither may be refused.
TEST(Hostile, ZerosTheWriterWritesAreNotRefused) {
  ScratchDir dir;
  const std::string path = dir.file("zeros.retrace");
  {
    auto writer = openWriter(path);
    ProcessStartInfo start = sampleStart(4242);
    start.calls.push_back({0, "java.lang.System", "currentTimeMillis", "()J"});
    writer->writeProcessStart(start);
    const std::string zeros(32u << 20, '\0');
    EventBuffer read;
    read.begin(kReadBytes, static_cast<int64_t>(zeros.size())).data(zeros.data(), zeros.size()).finish();
    writer->submit(0, 0, std::move(read));
    EventBuffer same;
    for (int i = 0; i < 64 * 1024; ++i) same.appendValue(0, 0);
    writer->submit(0, 1, std::move(same));
    ProcessEndInfo end;
    end.eventCount = 1 + 64 * 1024;
    writer->finish(end);
  }
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
  EXPECT_EQ(reader->frames().size(), 4u);
  uint64_t events = 0, dataBytes = 0;
  for (auto cursor = reader->allEvents(4242); cursor->next(); ++events) dataBytes += cursor->data().size();
  EXPECT_EQ(events, 1u + 64 * 1024);
  EXPECT_EQ(dataBytes, 32u << 20);
}

}  // namespace
}  // namespace retrace::tape::test
