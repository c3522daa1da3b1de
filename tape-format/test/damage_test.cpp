// A recording is cut short (SIGKILL, a full disk, a partial copy) or damaged (bad storage, a
// careless edit). The reader must keep every whole frame before the damage, say where and why
// it stopped, and never crash. Files that are not recordings at all must be refused in one line.
#include <sys/stat.h>

#include <capnp/message.h>

#include "tape_test_util.h"

namespace retrace::tape::test {
namespace {

struct Reference {
  std::string bytes;
  std::vector<FrameRef> frames;
  size_t frameArea = 0;  // offset of the first frame
};

Reference smallTape(const ScratchDir& dir) {
  Reference ref;
  const std::string path = dir.file("reference.retrace");
  writeSmallTape(path);
  ref.bytes = readFile(path);
  auto reader = openReader(path);
  EXPECT_TRUE(reader);
  if (!reader) return ref;
  EXPECT_TRUE(reader->stop().clean);
  ref.frames = reader->frames();
  ref.frameArea = reader->shebang().size() + 1;
  return ref;
}

void expectSameFrame(const FrameRef& a, const FrameRef& b) {
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.thread, b.thread);
  EXPECT_EQ(a.firstIndex, b.firstIndex);
  EXPECT_EQ(a.eventCount, b.eventCount);
}

/** Reads every event of every pid and thread: damage must not make a cursor crash either. */
size_t readAllEvents(const TapeReader& reader) {
  size_t n = 0;
  for (uint32_t pid : reader.pids()) {
    auto cursor = reader.allEvents(pid);
    while (cursor->next()) {
      ++n;
      (void)cursor->data();
      for (size_t i = 0; i < cursor->itemCount(); ++i) (void)cursor->item(i);
    }
  }
  return n;
}

TEST(Damage, TruncatedAtEveryOffset) {
  ScratchDir dir;
  const Reference ref = smallTape(dir);
  ASSERT_GE(ref.frames.size(), 6u);
  const std::string path = dir.file("cut.retrace");
  for (size_t cut = 0; cut <= ref.bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    writeFile(path, ref.bytes.substr(0, cut));
    std::string error;
    auto reader = TapeReader::open(path, error);
    if (cut <= ref.frameArea) {
      // Inside the shebang line, or nothing after it: not a recording (yet).
      ASSERT_FALSE(reader);
      EXPECT_EQ(error.find(path + " is not a Retrace recording ("), 0u) << error;
      EXPECT_EQ(error.find('\n'), std::string::npos);
      continue;
    }
    ASSERT_TRUE(reader) << error;
    std::vector<FrameRef> whole;
    for (const FrameRef& frame : ref.frames) {
      if (frame.offset + kFrameHeaderSize + frame.length <= cut) whole.push_back(frame);
    }
    ASSERT_EQ(reader->frames().size(), whole.size());
    for (size_t i = 0; i < whole.size(); ++i) expectSameFrame(reader->frames()[i], whole[i]);
    const uint64_t wholeEnd =
        whole.empty() ? ref.frameArea : whole.back().offset + kFrameHeaderSize + whole.back().length;
    if (cut == ref.bytes.size()) {
      EXPECT_TRUE(reader->stop().clean);
    } else if (cut == wholeEnd) {
      // Cut exactly between frames: nothing is torn, the file just ends early.
      EXPECT_TRUE(reader->stop().clean) << reader->stop().reason;
      EXPECT_EQ(reader->stop().offset, cut);
    } else {
      EXPECT_FALSE(reader->stop().clean);
      EXPECT_EQ(reader->stop().offset, wholeEnd);
      const std::string& reason = reader->stop().reason;
      EXPECT_NE(reason.find("at offset " + std::to_string(wholeEnd) + " "), std::string::npos) << reason;
      EXPECT_EQ(reason.rfind("truncated frame", 0), 0u) << reason;
      if (cut - wholeEnd < kFrameHeaderSize) {
        EXPECT_EQ(reason, "truncated frame header at offset " + std::to_string(wholeEnd) + " (" +
                              std::to_string(cut - wholeEnd) + " of 16 bytes)");
      } else {
        const FrameRef& torn = ref.frames[whole.size()];
        EXPECT_EQ(reason, "truncated frame at offset " + std::to_string(wholeEnd) + " (payload needs " +
                              std::to_string(torn.length) + " bytes, " +
                              std::to_string(cut - wholeEnd - kFrameHeaderSize) + " left)");
      }
    }
    readAllEvents(*reader);
  }
}

TEST(Damage, EveryFlippedByteIsCaught) {
  ScratchDir dir;
  const Reference ref = smallTape(dir);
  ASSERT_FALSE(ref.frames.empty());
  const std::string path = dir.file("flipped.retrace");
  for (size_t at = ref.frameArea; at < ref.bytes.size(); ++at) {
    SCOPED_TRACE("byte " + std::to_string(at));
    std::string bytes = ref.bytes;
    bytes[at] = static_cast<char>(bytes[at] ^ 0xFF);
    writeFile(path, bytes);
    // The frame that holds the byte.
    size_t hit = 0;
    while (hit + 1 < ref.frames.size() && ref.frames[hit + 1].offset <= at) ++hit;
    const FrameRef& frame = ref.frames[hit];
    const bool inMagic = at < frame.offset + 4;
    const bool inPayload = at >= frame.offset + kFrameHeaderSize;

    std::string error;
    auto reader = TapeReader::open(path, error);
    if (hit == 0 && inMagic) {
      ASSERT_FALSE(reader);  // the first frame's magic is what makes a file a recording
      EXPECT_EQ(error,
                path + " is not a Retrace recording (bad frame magic at offset " + std::to_string(ref.frameArea) + ")");
      continue;
    }
    ASSERT_TRUE(reader) << error;
    // Every byte of a frame matters: magic, pid, length, checksum and payload.
    EXPECT_FALSE(reader->stop().clean);
    EXPECT_EQ(reader->stop().offset, frame.offset);
    ASSERT_EQ(reader->frames().size(), hit);
    for (size_t i = 0; i < hit; ++i) expectSameFrame(reader->frames()[i], ref.frames[i]);
    const std::string& reason = reader->stop().reason;
    const std::string where = "at offset " + std::to_string(frame.offset) + " ";
    EXPECT_NE(reason.find(where), std::string::npos) << reason;
    if (inMagic) {
      EXPECT_EQ(reason, "corrupt frame " + where + "(bad magic)");
    } else if (inPayload) {
      EXPECT_EQ(reason, "corrupt frame " + where + "(checksum mismatch)");
    } else {
      // pid, length or checksum: a wrong length may also read as a cut or an impossible size.
      EXPECT_TRUE(reason.find("checksum mismatch") != std::string::npos || reason.find("truncated frame") == 0 ||
                  reason.find("is over the limit") != std::string::npos)
          << reason;
    }
    readAllEvents(*reader);
  }
}

TEST(Damage, GarbageAfterTheLastFrame) {
  ScratchDir dir;
  const Reference ref = smallTape(dir);
  const std::string path = dir.file("garbage.retrace");
  writeFile(path, ref.bytes + "this is not a frame at all");
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->frames().size(), ref.frames.size());
  EXPECT_FALSE(reader->stop().clean);
  EXPECT_EQ(reader->stop().reason, "corrupt frame at offset " + std::to_string(ref.bytes.size()) + " (bad magic)");
}

TEST(Damage, GoodChecksumOverAnUndecodableMessage) {
  ScratchDir dir;
  const Reference ref = smallTape(dir);
  const std::string path = dir.file("undecodable.retrace");
  // A frame whose checksum is right but whose payload is not a packed message: a writer bug, or
  // deliberate tampering. It must stop the reader like any other damage.
  const std::string payload = "\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09";  // 0xFF then a run past the end
  uint8_t header[kFrameHeaderSize];
  encodeFrameHeader(4242, payload.data(), static_cast<uint32_t>(payload.size()), header);
  writeFile(path, ref.bytes + std::string(reinterpret_cast<char*>(header), sizeof header) + payload);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->frames().size(), ref.frames.size());
  EXPECT_FALSE(reader->stop().clean);
  EXPECT_EQ(reader->stop().reason.rfind(
                "corrupt frame at offset " + std::to_string(ref.bytes.size()) + " (undecodable message: ", 0),
            0u)
      << reader->stop().reason;

  // Unpackable, but not a valid message (a segment table that promises more than there is).
  const std::string bogus("\x10\x07", 2);  // one word: 1 segment of 7 words, then nothing
  encodeFrameHeader(4242, bogus.data(), static_cast<uint32_t>(bogus.size()), header);
  writeFile(path, ref.bytes + std::string(reinterpret_cast<char*>(header), sizeof header) + bogus);
  reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->frames().size(), ref.frames.size());
  EXPECT_NE(reader->stop().reason.find("undecodable message"), std::string::npos) << reader->stop().reason;
}

TEST(Damage, FirstFrameDamagedStillOpensWithNoFrames) {
  ScratchDir dir;
  const Reference ref = smallTape(dir);
  const std::string path = dir.file("first.retrace");
  std::string bytes = ref.bytes;
  bytes[ref.frameArea + kFrameHeaderSize + 3] ^= 0x10;  // in the process start payload
  writeFile(path, bytes);
  auto reader = openReader(path);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->frames().empty());
  EXPECT_TRUE(reader->pids().empty());
  EXPECT_EQ(reader->stop().reason, "corrupt frame at offset " + std::to_string(ref.frameArea) + " (checksum mismatch)");
}

TEST(NotARecording, OneLineErrors) {
  ScratchDir dir;
  struct Case {
    std::string name, contents, reason;
  };
  const std::vector<Case> cases = {
      {"empty", "", "(no shebang line)"},
      {"text", "hello world\nthis is text\n", "(no shebang line)"},
      {"script", "#!/bin/sh\necho hello\n", "(bad frame magic at offset 10)"},
      {"unterminated", "#!/usr/bin/env retrace-replay --recording", "(the shebang line does not end)"},
      {"shebang-only", "#!/usr/bin/env retrace-replay --recording\n", "(no frame after the shebang line)"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.file(c.name);
    writeFile(path, c.contents);
    std::string error;
    EXPECT_FALSE(TapeReader::open(path, error)) << c.name;
    EXPECT_EQ(error, path + " is not a Retrace recording " + c.reason) << c.name;
  }
  std::string error;
  EXPECT_FALSE(TapeReader::open(dir.file("missing.retrace"), error));
  EXPECT_EQ(error, "cannot open " + dir.file("missing.retrace") + ": No such file or directory");
  const std::string sub = dir.file("a-directory");
  mkdir(sub.c_str(), 0700);
  EXPECT_FALSE(TapeReader::open(sub, error));
  EXPECT_EQ(error, sub + " is a directory, not a Retrace recording");
}

}  // namespace
}  // namespace retrace::tape::test
