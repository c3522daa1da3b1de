// tamper_tape, the tool the scenario tests use to make recordings replay must reject, run as they
// run it: what it changes, what it keeps, and how it refuses a request it cannot carry out.
#include <sys/wait.h>

#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

struct Outcome {
  int status = -1;
  std::string err;
};

Outcome tamper(const ScratchDir& dir, const std::string& arguments) {
  const std::string errPath = dir.file("tamper.err");
  const std::string command = std::string("'") + TAMPER_TAPE_PATH + "' " + arguments + " 2>'" + errPath + "'";
  int raw = std::system(command.c_str());
  Outcome run;
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.err = readFile(errPath);
  return run;
}

class TamperTape : public ::testing::Test {
 protected:
  void SetUp() override {
    pid_ = writeScheduledTape(in_);
    original_ = openReader(in_);
    ASSERT_TRUE(original_);
  }

  Outcome run(const std::string& options) { return tamper(dir_, "'" + in_ + "' '" + out_ + "' " + options); }

  ScratchDir dir_;
  const std::string in_ = dir_.file("in.retrace");
  const std::string out_ = dir_.file("out.retrace");
  uint32_t pid_ = 0;
  std::unique_ptr<TapeReader> original_;
};

std::vector<std::pair<uint32_t, int64_t>> eventsOf(const TapeReader& reader, uint32_t pid) {
  std::vector<std::pair<uint32_t, int64_t>> events;
  auto cursor = reader.allEvents(pid);
  while (cursor->next()) events.emplace_back(cursor->thread(), cursor->value());
  return events;
}

TEST_F(TamperTape, RedirectsOneHandover) {
  Outcome r = run("--handover 5 --to 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto tampered = openReader(out_);
  ASSERT_TRUE(tampered);
  std::vector<HandoverRecord> expected = sampleSchedule();
  expected[5].to = 2;
  EXPECT_EQ(tampered->handovers(pid_), expected);
  EXPECT_TRUE(tampered->handoversComplete(pid_));
  EXPECT_EQ(eventsOf(*tampered, pid_), eventsOf(*original_, pid_));
}

TEST_F(TamperTape, DropsOneHandoverAndTheScheduleStillReadsWhole) {
  // Entry 4 opens the second frame: the rest keeps its order across the frames after it.
  Outcome r = run("--handover 4 --drop");
  ASSERT_EQ(r.status, 0) << r.err;
  auto tampered = openReader(out_);
  ASSERT_TRUE(tampered);
  std::vector<HandoverRecord> expected = sampleSchedule();
  expected.erase(expected.begin() + 4);
  EXPECT_EQ(tampered->handovers(pid_), expected);
  EXPECT_TRUE(tampered->handoversComplete(pid_));
  EXPECT_EQ(tampered->processEnd(pid_)->handoverCount, expected.size());

  // Dropping the only entry of a frame leaves no empty frame behind.
  r = tamper(dir_, "'" + out_ + "' '" + dir_.file("twice.retrace") + "' --handover 4 --drop");
  ASSERT_EQ(r.status, 0) << r.err;
  auto twice = openReader(dir_.file("twice.retrace"));
  ASSERT_TRUE(twice);
  expected.erase(expected.begin() + 4);
  EXPECT_EQ(twice->handovers(pid_), expected);
  EXPECT_TRUE(twice->handoversComplete(pid_));
  size_t frames = 0;
  for (const FrameRef& frame : twice->frames()) frames += frame.kind == MessageKind::kHandovers;
  EXPECT_EQ(frames, 2u);
}

TEST_F(TamperTape, AHandoverOutOfRangeIsOneLineAndNoFile) {
  Outcome r = run("--handover 9 --to 1");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "tamper_tape: no hand-over 9 in process 4343 (it has 9)\n");
  EXPECT_NE(access(out_.c_str(), F_OK), 0);
  r = run("--handover 100 --drop");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "tamper_tape: no hand-over 100 in process 4343 (it has 9)\n");
}

TEST_F(TamperTape, EventModesKeepTheSchedule) {
  Outcome r = run("--thread 0 --index 1 --call 2");
  ASSERT_EQ(r.status, 0) << r.err;
  auto tampered = openReader(out_);
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->handovers(pid_), sampleSchedule());
  EXPECT_TRUE(tampered->handoversComplete(pid_));
  auto cursor = tampered->events(pid_, 0);
  ASSERT_TRUE(cursor->next());
  EXPECT_EQ(cursor->call(), kNanoTime);
  ASSERT_TRUE(cursor->next());
  EXPECT_EQ(cursor->call(), kCurrentTimeMillis);

  r = run("--thread 0 --index 0 --drop");
  ASSERT_EQ(r.status, 0) << r.err;
  tampered = openReader(out_);
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->eventCount(pid_), 2u);
  EXPECT_EQ(tampered->handovers(pid_), sampleSchedule());

  r = run("--thread 0 --index 7 --drop");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "tamper_tape: no event 7 in thread 0\n");
}

TEST_F(TamperTape, AnIncompleteRequestShowsTheUsage) {
  for (const std::string options : {"", "--handover 1", "--handover 1 --to 2 --drop", "--thread 0 --drop",
                                    "--handover 1 --thread 0 --to 1", "--handover x --drop"}) {
    SCOPED_TRACE(options);
    Outcome r = run(options);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("usage: tamper_tape IN OUT --thread T --index K (--call ID | --drop | --line N)\n"),
              std::string::npos)
        << r.err;
  }
}

}  // namespace
}  // namespace retrace::tape::test
