// The C ABI exactly as the Java facade uses it, through the shared library.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <regex>

#include "retrace/tape/tape_c.h"
#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

/** Takes ownership of a string from the library. */
std::string take(char* s) {
  if (s == nullptr) return "<null>";
  std::string copy(s);
  rt_free(s);
  return copy;
}

struct TapeHandle {
  rt_tape* tape = nullptr;
  ~TapeHandle() { rt_tape_close(tape); }
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(TapeC, SummaryOfASmallTape) {
  ScratchDir dir;
  const std::string path = dir.file("small.retrace");
  writeSmallTape(path);
  char err[256] = "untouched";
  TapeHandle h{rt_tape_open(path.c_str(), err, sizeof err)};
  ASSERT_NE(h.tape, nullptr) << err;
  EXPECT_STREQ(err, "");
  const std::string json = take(rt_tape_summary_json(h.tape));
  SCOPED_TRACE(json);
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_TRUE(contains(json, "\"path\":\"" + path + "\""));
  EXPECT_TRUE(contains(json, "\"shebang\":\"#!/opt/retrace/bin/retrace-replay --recording\""));
  EXPECT_TRUE(contains(json, "\"formatVersion\":4,\"complete\":true,"));
  EXPECT_TRUE(contains(json, "\"stop\":{\"clean\":true,\"offset\":" + std::to_string(readFile(path).size()) +
                                 ",\"reason\":\"\",\"tampered\":false}"));
  EXPECT_TRUE(contains(json, "\"frames\":6,"));
  EXPECT_TRUE(contains(json, "\"processes\":[{\"pid\":4242,\"parentPid\":0,\"parentEventIndex\":0,"));
  EXPECT_TRUE(contains(json, "\"argv\":[\"/usr/lib/jvm/java-17/bin/java\",\"-jar\",\"app.jar\",\"--port\",\"0\"]"));
  EXPECT_TRUE(contains(json,
                       "\"systemProperties\":{\"java.version\":\"17.0.9\",\"user.name\":\"user\","
                       "\"line.separator\":\"\\u000a\"}"));
  EXPECT_TRUE(contains(json,
                       "{\"path\":\"/home/user/app/app.jar\",\"role\":\"classpath\",\"crc32c\":3735928559,"
                       "\"size\":99999999999}"));
  EXPECT_TRUE(
      contains(json,
               "\"end\":{\"exitStatus\":0,\"complete\":true,\"eventCount\":7,"
               "\"endTimeMillis\":1700000001000,\"truncatedReason\":\"\",\"handoverCount\":0,"
               "\"cleared\":{\"counted\":false,\"weak\":0,\"soft\":0,\"phantom\":0,\"finalized\":0},\"code\":[]}"));
  EXPECT_TRUE(contains(json, "\"threads\":[{\"thread\":0,\"name\":\"main\"},{\"thread\":1,\"name\":\"worker-1\"}]"));
  EXPECT_TRUE(contains(json, "\"events\":7,"));
  // Most frequent first; ties by id.
  EXPECT_TRUE(contains(json,
                       "\"calls\":[{\"id\":1,\"name\":\"java.lang.System.nanoTime()J\",\"count\":3},"
                       "{\"id\":2,\"name\":\"java.lang.System.currentTimeMillis()J\",\"count\":1},"
                       "{\"id\":3,\"name\":\"java.io.FileInputStream.readBytes([BII)I\",\"count\":1},"
                       "{\"id\":4,\"name\":\"java.io.FileInputStream.open0(Ljava/lang/String;)V\",\"count\":1},"
                       "{\"id\":5,\"name\":\"java.lang.ProcessEnvironment.environ()[[B\",\"count\":1}]"));
  // No thread ever waited: no hand-over, and nothing missing.
  EXPECT_TRUE(
      contains(json,
               "\"handovers\":0,\"handoverKinds\":{\"yield\":0,\"block\":0,\"forced\":0,\"escape\":0,\"preempt\":0},"
               "\"handoversComplete\":true}]}"));
}

TEST(TapeC, SummaryCountsHandoversByKind) {
  ScratchDir dir;
  const std::string path = dir.file("scheduled.retrace");
  writeScheduledTape(path);
  TapeHandle h{rt_tape_open(path.c_str(), nullptr, 0)};
  ASSERT_NE(h.tape, nullptr);
  const std::string json = take(rt_tape_summary_json(h.tape));
  SCOPED_TRACE(json);
  EXPECT_TRUE(contains(json, "\"truncatedReason\":\"\",\"handoverCount\":9,\"cleared\":{\"counted\":false,"));
  EXPECT_TRUE(
      contains(json,
               "\"handovers\":9,\"handoverKinds\":{\"yield\":5,\"block\":2,\"forced\":1,\"escape\":1,\"preempt\":0},"
               "\"handoversComplete\":true}"));

  // Without its end frame the schedule read is the same, but nobody can say it is whole.
  const std::string killed = dir.file("killed.retrace");
  writeScheduledTape(killed, /*withEnd=*/false);
  TapeHandle k{rt_tape_open(killed.c_str(), nullptr, 0)};
  ASSERT_NE(k.tape, nullptr);
  const std::string killedJson = take(rt_tape_summary_json(k.tape));
  EXPECT_TRUE(contains(killedJson, "\"handovers\":9,")) << killedJson;
  EXPECT_TRUE(contains(killedJson, "\"handoversComplete\":false}")) << killedJson;

  // An end frame that counts more than the schedule holds: the recording is not complete either.
  std::string bytes = readFile(path);
  uint64_t offset = 0, size = 0;
  {
    auto reader = openReader(path);
    ASSERT_TRUE(reader);
    for (const FrameRef& frame : reader->frames()) {
      if (frame.kind == MessageKind::kHandovers && frame.firstIndex > 0 && size == 0) {
        offset = frame.offset;
        size = kFrameHeaderSize + frame.length;
      }
    }
  }
  ASSERT_GT(size, 0u);
  const std::string hole = dir.file("hole.retrace");
  writeFile(hole, bytes.erase(offset, size));
  TapeHandle o{rt_tape_open(hole.c_str(), nullptr, 0)};
  ASSERT_NE(o.tape, nullptr);
  const std::string holeJson = take(rt_tape_summary_json(o.tape));
  EXPECT_TRUE(contains(holeJson, "\"complete\":false,\"stop\":{\"clean\":true,")) << holeJson;
  EXPECT_TRUE(contains(holeJson, "\"handoverCount\":9,\"cleared\":{\"counted\":false,")) << holeJson;
  EXPECT_TRUE(contains(holeJson, "\"handovers\":4,")) << holeJson;
  EXPECT_TRUE(contains(holeJson, "\"handoversComplete\":false}")) << holeJson;
}

TEST(TapeC, IteratesTheHandoversOfAPid) {
  ScratchDir dir;
  const std::string path = dir.file("scheduled.retrace");
  const uint32_t pid = writeScheduledTape(path);
  TapeHandle h{rt_tape_open(path.c_str(), nullptr, 0)};
  ASSERT_NE(h.tape, nullptr);
  EXPECT_EQ(rt_tape_next_handover_json(h.tape), nullptr);  // no pid chosen yet
  ASSERT_EQ(rt_tape_rewind(h.tape, pid), 0);
  std::vector<std::string> handovers;
  while (char* handover = rt_tape_next_handover_json(h.tape)) handovers.push_back(take(handover));
  ASSERT_EQ(handovers.size(), 9u);
  EXPECT_EQ(handovers[0], "{\"pid\":4343,\"index\":0,\"from\":0,\"fromPoint\":3,\"to\":1,\"kind\":\"yield\"}");
  EXPECT_EQ(handovers[1], "{\"pid\":4343,\"index\":1,\"from\":1,\"fromPoint\":1,\"to\":2,\"kind\":\"block\"}");
  EXPECT_EQ(handovers[3], "{\"pid\":4343,\"index\":3,\"from\":0,\"fromPoint\":7,\"to\":2,\"kind\":\"forced\"}");
  EXPECT_EQ(handovers[5], "{\"pid\":4343,\"index\":5,\"from\":1,\"fromPoint\":4,\"to\":0,\"kind\":\"escape\"}");
  EXPECT_EQ(handovers[8], "{\"pid\":4343,\"index\":8,\"from\":2,\"fromPoint\":14,\"to\":0,\"kind\":\"yield\"}");
  EXPECT_EQ(rt_tape_next_handover_json(h.tape), nullptr);

  // Events and hand-overs keep their own positions after one rewind; a rewind starts both over.
  ASSERT_EQ(rt_tape_rewind(h.tape, pid), 0);
  EXPECT_EQ(take(rt_tape_next_handover_json(h.tape)), handovers[0]);
  EXPECT_TRUE(contains(take(rt_tape_next_event_json(h.tape)), "\"index\":0,"));
  EXPECT_EQ(take(rt_tape_next_handover_json(h.tape)), handovers[1]);
  EXPECT_TRUE(contains(take(rt_tape_next_event_json(h.tape)), "\"index\":1,"));

  // A process without hand-overs: nothing, at once.
  const std::string small = dir.file("small.retrace");
  const uint32_t smallPid = writeSmallTape(small);
  TapeHandle s{rt_tape_open(small.c_str(), nullptr, 0)};
  ASSERT_EQ(rt_tape_rewind(s.tape, smallPid), 0);
  EXPECT_EQ(rt_tape_next_handover_json(s.tape), nullptr);
  EXPECT_EQ(rt_tape_rewind(s.tape, 999), -1);
  EXPECT_EQ(rt_tape_next_handover_json(s.tape), nullptr);
}

TEST(TapeC, IteratesEveryEventOfAPid) {
  ScratchDir dir;
  const std::string path = dir.file("events.retrace");
  const uint32_t pid = writeSmallTape(path);
  TapeHandle h{rt_tape_open(path.c_str(), nullptr, 0)};
  ASSERT_NE(h.tape, nullptr);
  EXPECT_EQ(rt_tape_next_event_json(h.tape), nullptr);  // no pid chosen yet
  EXPECT_EQ(rt_tape_rewind(h.tape, 999), -1);
  ASSERT_EQ(rt_tape_rewind(h.tape, pid), 0);
  std::vector<std::string> events;
  while (char* event = rt_tape_next_event_json(h.tape)) events.push_back(take(event));
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0],
            "{\"pid\":4242,\"thread\":0,\"index\":0,\"call\":\"java.lang.System.nanoTime()J\","
            "\"callId\":1,\"value\":1000}");
  EXPECT_EQ(events[1],
            "{\"pid\":4242,\"thread\":0,\"index\":1,\"call\":\"java.lang.System.nanoTime()J\","
            "\"callId\":1,\"value\":1500}");
  EXPECT_TRUE(contains(events[3], "\"value\":5,\"data\":{\"length\":5,\"text\":\"hello\"}}"));
  EXPECT_TRUE(contains(events[4],
                       "\"items\":[\"/etc/hosts\"],\"thrown\":{\"className\":"
                       "\"java.io.FileNotFoundException\",\"message\":\"/etc/hosts (denied)\",\"errno\":13}"));
  EXPECT_TRUE(contains(events[6], "\"thread\":1,\"index\":1,"));
  EXPECT_TRUE(contains(events[6], "\"items\":[\"A=1\",null]"));
  EXPECT_EQ(rt_tape_next_event_json(h.tape), nullptr);
  // Rewinding starts over.
  ASSERT_EQ(rt_tape_rewind(h.tape, pid), 0);
  EXPECT_EQ(take(rt_tape_next_event_json(h.tape)), events[0]);
}

TEST(TapeC, EscapesWhatIsNotPlainText) {
  ScratchDir dir;
  const std::string path = dir.file("escape.retrace");
  {
    auto writer = openWriter(path);
    writer->writeProcessStart(sampleStart(8));
    EventBuffer buffer;
    const std::string binary("a\"b\\c\x01\n\x7f\xff\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    std::string longData(100, 'z');
    buffer.begin(kReadBytes, static_cast<int64_t>(binary.size())).data(binary.data(), binary.size()).finish();
    buffer.begin(kReadBytes, 100).data(longData.data(), longData.size()).finish();
    // Java strings through JNI: NUL as C0 80, U+1F600 as a surrogate pair of 3-byte sequences.
    const std::string modified("x\xc0\x80y\xed\xa0\xbd\xed\xb8\x80z\xed\xa0\xbd");
    buffer.begin(kEnviron, 1).item(modified.data(), modified.size()).finish();
    buffer.begin(kOpen, 0)
        .thrown("java.io.IOException", nullptr, 0)
        .frame("a.B.c(B.java)", -1)
        .frame("a.B.d(B.java)", 12)
        .finish();
    buffer = writer->submit(0, 0, std::move(buffer));
    writer->finish(ProcessEndInfo());
  }
  TapeHandle h{rt_tape_open(path.c_str(), nullptr, 0)};
  ASSERT_NE(h.tape, nullptr);
  ASSERT_EQ(rt_tape_rewind(h.tape, 8), 0);
  std::string first = take(rt_tape_next_event_json(h.tape));
  EXPECT_TRUE(contains(first,
                       "\"data\":{\"length\":18,\"text\":\"a\\\"b\\\\c\\u0001\\u000a\x7f\\u00ff"
                       "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}"))
      << first;
  std::string second = take(rt_tape_next_event_json(h.tape));
  EXPECT_TRUE(contains(second, "\"data\":{\"length\":100,\"text\":\"" + std::string(64, 'z') + "\"}")) << second;
  std::string third = take(rt_tape_next_event_json(h.tape));
  EXPECT_TRUE(contains(third, "\"items\":[\"x\\u0000y\\ud83d\\ude00z\\u00ed\\u00a0\\u00bd\"]")) << third;
  std::string fourth = take(rt_tape_next_event_json(h.tape));
  EXPECT_TRUE(contains(fourth,
                       "\"thrown\":{\"className\":\"java.io.IOException\",\"message\":null,\"errno\":0},"
                       "\"stack\":[\"a.B.c(B.java)\",\"a.B.d(B.java:12)\"]}"))
      << fourth;
}

TEST(TapeC, IncompleteTapeSaysSo) {
  ScratchDir dir;
  const std::string path = dir.file("incomplete.retrace");
  writeSmallTape(path, /*withEnd=*/false);
  std::string bytes = readFile(path);
  writeFile(path, bytes.substr(0, bytes.size() - 3));  // and the last frame torn
  TapeHandle h{rt_tape_open(path.c_str(), nullptr, 0)};
  ASSERT_NE(h.tape, nullptr);
  const std::string json = take(rt_tape_summary_json(h.tape));
  EXPECT_TRUE(contains(json, "\"complete\":false,\"stop\":{\"clean\":false,")) << json;
  EXPECT_TRUE(contains(json, "\"reason\":\"truncated frame at offset ")) << json;
  EXPECT_TRUE(contains(json, "\"end\":null,")) << json;
}

TEST(TapeC, OpenErrorsAreOneLine) {
  ScratchDir dir;
  char err[512];
  const std::string missing = dir.file("missing.retrace");
  EXPECT_EQ(rt_tape_open(missing.c_str(), err, sizeof err), nullptr);
  EXPECT_EQ(std::string(err), "cannot open " + missing + ": No such file or directory");

  const std::string text = dir.file("notes.txt");
  writeFile(text, "just some notes\n");
  EXPECT_EQ(rt_tape_open(text.c_str(), err, sizeof err), nullptr);
  EXPECT_EQ(std::string(err), text + " is not a Retrace recording (no shebang line)");

  // A short buffer gets a cut, still terminated, message.
  char tiny[8];
  EXPECT_EQ(rt_tape_open(text.c_str(), tiny, sizeof tiny), nullptr);
  EXPECT_EQ(std::string(tiny), text.substr(0, 7));
  EXPECT_EQ(rt_tape_open(nullptr, err, sizeof err), nullptr);
  EXPECT_EQ(rt_tape_open(text.c_str(), nullptr, 0), nullptr);  // no buffer: no crash

  EXPECT_EQ(rt_tape_summary_json(nullptr), nullptr);
  EXPECT_EQ(rt_tape_rewind(nullptr, 1), -1);
  EXPECT_EQ(rt_tape_next_event_json(nullptr), nullptr);
  EXPECT_EQ(rt_tape_next_handover_json(nullptr), nullptr);
  rt_tape_close(nullptr);
  rt_free(nullptr);
}

/**
 * rt_tape_open's error for `path`, run in a child process so that an open that blocks fails the
 * test after `seconds` (the child is killed) instead of hanging it: "<did not return>" then.
 */
std::string openErrorWithin(const std::string& path, int seconds) {
  int out[2];
  if (pipe(out) != 0) return "<no pipe>";
  pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    char err[512] = "";
    rt_tape* tape = rt_tape_open(path.c_str(), err, sizeof err);
    std::string message = tape != nullptr ? "<opened>" : err;
    ssize_t ignored = write(out[1], message.data(), message.size());
    (void)ignored;
    _exit(0);
  }
  close(out[1]);
  std::string message;
  struct pollfd p = {out[0], POLLIN, 0};
  for (;;) {
    int ready = poll(&p, 1, seconds * 1000);
    if (ready <= 0) {
      message = "<did not return>";
      break;
    }
    char chunk[512];
    ssize_t n = read(out[0], chunk, sizeof chunk);
    if (n <= 0) break;
    message.append(chunk, static_cast<size_t>(n));
  }
  close(out[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return message;
}

TEST(TapeC, NonRegularFilesAreRefusedAtOnceInOneLine) {
  ScratchDir dir;
  // A FIFO without a writer: open(2) without O_NONBLOCK would wait for one forever.
  const std::string fifo = dir.file("fifo.retrace");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(openErrorWithin(fifo, 5), fifo + " is not a regular file (a FIFO)");

  // A FIFO with a writer that never writes: read(2) would wait forever.
  int writer = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  EXPECT_EQ(openErrorWithin(fifo, 5), fifo + " is not a regular file (a FIFO)");
  close(writer);

  // A device without an end: it was read until memory ran out.
  EXPECT_EQ(openErrorWithin("/dev/zero", 5), "/dev/zero is not a regular file (a character device)");
  EXPECT_EQ(openErrorWithin("/dev/null", 5), "/dev/null is not a regular file (a character device)");

  const std::string socketPath = dir.file("socket.retrace");
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  struct sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socketPath.size(), sizeof address.sun_path);
  std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<struct sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(openErrorWithin(socketPath, 5), socketPath + " is not a regular file (a socket)");
  close(listener);

  const std::string sub = dir.file("a-directory");
  ASSERT_EQ(mkdir(sub.c_str(), 0700), 0);
  EXPECT_EQ(openErrorWithin(sub, 5), sub + " is a directory, not a Retrace recording");

  // Through a symbolic link: what it names decides.
  const std::string link = dir.file("link.retrace");
  ASSERT_EQ(symlink(fifo.c_str(), link.c_str()), 0);
  EXPECT_EQ(openErrorWithin(link, 5), link + " is not a regular file (a FIFO)");

  // A regular file is still read (and refused here for what it holds, not for what it is).
  const std::string text = dir.file("notes.txt");
  writeFile(text, "just some notes\n");
  EXPECT_EQ(openErrorWithin(text, 5), text + " is not a Retrace recording (no shebang line)");
  const std::string tape = dir.file("small.retrace");
  writeSmallTape(tape);
  EXPECT_EQ(openErrorWithin(tape, 5), "<opened>");
}

}  // namespace
}  // namespace retrace::tape::test
