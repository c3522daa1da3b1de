// Test tool: writes a crafted recording, the kind a hostile or careless sender could hand over,
// to prove that the reader answers in time in proportion to the file and reports what is wrong
// with it. Not installed with the product.
//
//   make_hostile_tape OUT KIND
//
// Every kind starts from a whole recording of process 4242 (root): start, one chunk of thread 0
// (events #0-2), end. Then:
//   empty-items  its chunk is replaced by one whose single event holds 6M empty items: about
//                95 KB packed, 96 MB unpacked (Cap'n Proto's zero runs: 2 bytes, 256 words)
//   understated  as empty-items, but its segment table says 100 words: the message claims to fit
//                the ratio, so only a cursor finds out, and it must give up as soon
//   appended     a chunk of process 4242 (events #3-4) after its end frame
//   duplicated   its chunk frame a second time, byte for byte, right after the first
//   foreign      the frames of another recording (root process 5252) after it
//   concatenated the whole of that other recording, shebang line included (`cat a b`)
//   orphan       frames of process 5353, a child of 4242, without its start frame
//   repeated     a second chunk of thread 0 with events #0-1 again (other values), before the end
//   skipped      a second chunk of thread 0 with events #4-5, before the end: event #3 is missing
//   short-count  its chunk holds events #0-2 but the count stored beside them (what the index
//                reads) says 2: checksums are good, the last event would be lost without a word
//   packed       the control for packs: a pack's magic line and some bytes after the end frame
//   tree         the control: children 4243 (while the root runs) and 4244 (after the root ended),
//                and 4243 again (its pid reused after it ended), each with its own start and end
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <kj/io.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "retrace.capnp.h"
#include "retrace/tape/event_buffer.h"
#include "retrace/tape/frame.h"
#include "retrace/tape/reader.h"
#include "retrace/tape/writer.h"

using namespace retrace::tape;

namespace {

constexpr uint32_t kRoot = 4242;
constexpr uint16_t kNanoTime = 1;
constexpr unsigned kBombItems = 6'000'000;
const std::string kShebang = shebangLine("/opt/retrace/bin/retrace-replay");

ProcessStartInfo processStart(uint32_t pid, uint32_t parent, int64_t startMillis) {
  ProcessStartInfo info;
  info.formatVersion = kFormatVersion;
  info.pid = pid;
  info.parentPid = parent;
  info.argv = {"java", "-cp", "app.jar", "demo.Main"};
  info.javaHome = "/usr/lib/jvm/temurin-25-jdk-amd64";
  info.jvmVersion = "OpenJDK 64-Bit Server VM 25.0.3+9-LTS";
  info.startTimeMillis = startMillis;
  info.calls = {{kNanoTime, "java.lang.System", "nanoTime", "()J"}};
  return info;
}

/** One process's recording, made by the real writer: start, chunks of thread 0, end. */
struct Process {
  uint32_t pid, parent;
  int64_t startMillis;
  std::vector<std::vector<int64_t>> chunks;  // nanoTime values, one chunk each
  bool end = true;
};

bool record(const std::string& path, const Process& process, TapeWriter::Mode mode) {
  std::string error;
  auto writer = TapeWriter::open(path, mode, kShebang, error);
  if (!writer) {
    std::fprintf(stderr, "make_hostile_tape: %s\n", error.c_str());
    return false;
  }
  writer->writeProcessStart(processStart(process.pid, process.parent, process.startMillis));
  uint64_t first = 0;
  for (const auto& values : process.chunks) {
    EventBuffer buffer;
    for (int64_t value : values) buffer.appendValue(kNanoTime, value);
    writer->submit(0, first, std::move(buffer));
    first += values.size();
  }
  ProcessEndInfo end;
  end.eventCount = first;
  end.threads = {{0, "main"}};
  if (process.end) writer->finish(end);
  return true;
}

/** The frames of a recording the writer made, each as its bytes (header and payload). */
std::vector<std::string> framesOf(const Process& process, const std::string& scratch) {
  std::vector<std::string> frames;
  if (!record(scratch, process, TapeWriter::Mode::kCreate)) return frames;
  std::string error;
  auto reader = TapeReader::open(scratch, error);
  std::remove(scratch.c_str());
  if (!reader) return frames;
  for (const FrameRef& frame : reader->frames()) {
    frames.emplace_back(reader->bytes().substr(frame.offset, kFrameHeaderSize + frame.length));
  }
  return frames;
}

/** A frame holding `message`, packed as the writer packs it. */
std::string frameOf(uint32_t pid, capnp::MessageBuilder& message) {
  kj::VectorOutputStream packed;
  capnp::writePackedMessage(packed, message);
  auto bytes = packed.getArray();
  std::string frame(kFrameHeaderSize, '\0');
  encodeFrameHeader(pid, bytes.begin(), static_cast<uint32_t>(bytes.size()), reinterpret_cast<uint8_t*>(&frame[0]));
  frame.append(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  return frame;
}

/** Cap'n Proto's packing of `words`, written out here so that the segment table can lie. */
std::string pack(const kj::ArrayPtr<const capnp::word> words) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(words.begin());
  const size_t count = words.size();
  std::string out;
  for (size_t w = 0; w < count; ++w) {
    const uint8_t* word = bytes + w * 8;
    uint8_t tag = 0;
    for (int b = 0; b < 8; ++b) tag |= word[b] != 0 ? 1 << b : 0;
    out += static_cast<char>(tag);
    for (int b = 0; b < 8; ++b) {
      if (word[b] != 0) out += static_cast<char>(word[b]);
    }
    if (tag == 0x00) {
      size_t run = 0;
      while (run < 255 && w + 1 + run < count &&
             std::all_of(bytes + (w + 1 + run) * 8, bytes + (w + 2 + run) * 8, [](uint8_t b) { return b == 0; })) {
        ++run;
      }
      out += static_cast<char>(run);
      w += run;
    } else if (tag == 0xFF) {
      out += '\0';  // no verbatim run: longer, still valid
    }
  }
  return out;
}

/** The expansion bomb: a chunk of one event (as the end frame counts) with kBombItems empty items. */
std::string emptyItemsFrame(bool understated) {
  // One segment, as the writer makes them: the reader's index reads the start of a one-segment
  // chunk only.
  capnp::MallocMessageBuilder message(kBombItems * 2 + 64);
  auto chunk = message.initRoot<retrace::schema::Message>().initEventChunk();
  chunk.setThread(0);
  chunk.setFirstIndex(0);
  chunk.setEventCount(1);
  auto event = chunk.initEvents(1)[0];
  event.setCall(kNanoTime);
  event.initItems(kBombItems);  // all-zero structs: non-null, empty, and free to pack
  if (!understated) return frameOf(kRoot, message);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto* table = reinterpret_cast<uint32_t*>(words.begin());
  table[1] = 100;  // segment 0's size: the items lie past it
  std::string payload = pack(words);
  std::string frame(kFrameHeaderSize, '\0');
  encodeFrameHeader(kRoot, payload.data(), static_cast<uint32_t>(payload.size()),
                    reinterpret_cast<uint8_t*>(&frame[0]));
  return frame + payload;
}

/** `frame` (an event chunk of process kRoot) with the event count beside its list set to `count`. */
std::string withEventCount(const std::string& frame, uint32_t count) {
  kj::ArrayInputStream input(kj::arrayPtr(reinterpret_cast<const kj::byte*>(frame.data()) + kFrameHeaderSize,
                                          frame.size() - kFrameHeaderSize));
  capnp::PackedMessageReader reader(input);
  capnp::MallocMessageBuilder message;
  message.setRoot(reader.getRoot<retrace::schema::Message>());
  message.getRoot<retrace::schema::Message>().getEventChunk().setEventCount(count);
  return frameOf(kRoot, message);
}

bool writeOut(const std::string& out, const std::vector<std::string>& frames) {
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << kShebang;
  for (const std::string& frame : frames) file << frame;
  return static_cast<bool>(file.flush());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(
        stderr,
        "usage: make_hostile_tape OUT KIND\n"
        "  KIND: empty-items understated appended duplicated foreign concatenated orphan repeated skipped short-count "
        "packed tree\n");
    return 2;
  }
  const std::string out = argv[1];
  const std::string kind = argv[2];
  const std::string scratch = out + ".part";
  const Process root{kRoot, 0, 1763740000000, {{1000, 1500, 2500}}};
  std::vector<std::string> frames = framesOf(root, scratch);  // start, chunk, end
  if (frames.size() != 3) {
    std::fprintf(stderr, "make_hostile_tape: cannot write the base recording\n");
    return 1;
  }
  if (kind == "empty-items") {
    frames[1] = emptyItemsFrame(false);
  } else if (kind == "understated") {
    frames[1] = emptyItemsFrame(true);
  } else if (kind == "appended") {
    std::vector<std::string> more = framesOf({kRoot, 0, 1763740000000, {{1000, 1500, 2500}, {3000, 3500}}}, scratch);
    frames.push_back(more.at(2));  // the chunk of events #3-4
  } else if (kind == "duplicated") {
    frames.insert(frames.begin() + 2, frames[1]);
  } else if (kind == "foreign") {
    for (std::string& frame : framesOf({5252, 0, 1763750000000, {{7000, 7100}}}, scratch)) frames.push_back(frame);
  } else if (kind == "concatenated") {
    std::vector<std::string> other = framesOf({5252, 0, 1763750000000, {{7000, 7100}}}, scratch);
    frames.push_back(kShebang);
    frames.insert(frames.end(), other.begin(), other.end());
  } else if (kind == "orphan") {
    std::vector<std::string> child = framesOf({5353, kRoot, 1763740000500, {{8000}}}, scratch);
    frames.insert(frames.end(), child.begin() + 1, child.end());
  } else if (kind == "repeated") {
    std::vector<std::string> again = framesOf({kRoot, 0, 1763740000000, {{900, 950}}}, scratch);
    frames.insert(frames.begin() + 2, again.at(1));
  } else if (kind == "skipped") {
    std::vector<std::string> later =
        framesOf({kRoot, 0, 1763740000000, {{1000, 1500, 2500}, {2600}, {2700, 2800}}}, scratch);
    frames.insert(frames.begin() + 2, later.at(3));  // the chunk of events #4-5
  } else if (kind == "packed") {
    frames.push_back(std::string(kPackMagic) + "PK\x03\x04 what the pack holds is checked where it is used");
  } else if (kind == "short-count") {
    frames[1] = withEventCount(frames[1], 2);
  } else if (kind == "tree") {
    // Written the way a recorded tree writes: the root creates the file, children append to it.
    if (!record(out, {kRoot, 0, 1763740000000, {{1000}, {1500, 2500}}, false}, TapeWriter::Mode::kCreate)) return 1;
    if (!record(out, {4243, kRoot, 1763740000100, {{10}, {20, 30}}}, TapeWriter::Mode::kAppend)) return 1;
    std::vector<std::string> rootEnd = framesOf(root, scratch);
    {
      std::ofstream file(out, std::ios::binary | std::ios::app);
      file << rootEnd.at(2);  // the root's end frame, as if it exited before the next child started
    }
    if (!record(out, {4244, kRoot, 1763740000200, {{40}}}, TapeWriter::Mode::kAppend)) return 1;
    if (!record(out, {4243, kRoot, 1763740000300, {{50, 60}}}, TapeWriter::Mode::kAppend)) return 1;
    return 0;
  } else {
    std::fprintf(stderr, "make_hostile_tape: unknown kind %s\n", kind.c_str());
    return 2;
  }
  if (!writeOut(out, frames)) {
    std::fprintf(stderr, "make_hostile_tape: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}
