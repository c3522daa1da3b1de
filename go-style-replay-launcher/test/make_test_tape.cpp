// Writes a small, complete recording with the real TapeWriter, for the facade's and the
// launcher's tests (the agent is not needed to make one). The content is fixed so that tests can
// assert on it; the options change what the launcher reads.
//
//   make_test_tape [--java-home DIR] [--cwd DIR] [--pid N] [--exit N] [--env K=V]...
//                  [--arg A]... [--child] [--no-end] [--launcher PATH] [--jdk-checksums] OUT
//
// --jdk-checksums: the JDK entries carry the checksums of the files under --java-home (a stand-in
// JDK a test made), so that the launcher finds that JDK as the recorded build.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "retrace/tape/frame.h"
#include "retrace/tape/writer.h"

using namespace retrace::tape;

namespace {

struct Options {
  std::string out;
  std::string javaHome = "/usr/lib/jvm/temurin-25-jdk-amd64";
  std::string cwd;
  std::string launcher = RETRACE_LAUNCHER_PATH;
  uint32_t pid = 4242;
  int exitStatus = 0;
  std::vector<std::string> env;
  std::vector<std::string> args;
  bool child = false;
  bool end = true;
  bool jdkChecksums = false;
};

// crc32c and size of a file, as the agent fingerprints it; a fixed stand-in when it cannot be read.
CodeEntry jdkEntry(const Options& o, const std::string& relative, uint32_t crc, uint64_t size) {
  std::string path = o.javaHome + "/" + relative;
  if (o.jdkChecksums) {
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      std::string bytes;
      char buffer[65536];
      size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.append(buffer, n);
      std::fclose(f);
      crc = crc32c(0, bytes.data(), bytes.size());
      size = bytes.size();
    }
  }
  return {path, CodeRole::kJavaHome, crc, size};
}

constexpr int64_t kStartMillis = 1763740000000;  // 2025-11-21T15:46:40Z

enum Call : uint16_t { kNanoTime = 1, kReadBytes, kStat, kOpen, kEnviron, kCurrentTimeMillis };

std::vector<CallInfo> callTable() {
  return {{kNanoTime, "java.lang.System", "nanoTime", "()J"},
          {kReadBytes, "java.io.FileInputStream", "readBytes", "([BII)I"},
          {kStat, "sun.nio.fs.UnixNativeDispatcher", "stat0", "(JLsun/nio/fs/UnixFileAttributes;)I"},
          {kOpen, "java.io.FileInputStream", "open0", "(Ljava/lang/String;)V"},
          {kEnviron, "java.lang.ProcessEnvironment", "environ", "()[[B"},
          {kCurrentTimeMillis, "java.lang.System", "currentTimeMillis", "()J"}};
}

ProcessStartInfo processStart(const Options& o, uint32_t pid, uint32_t parent, std::vector<std::string> argv) {
  ProcessStartInfo info;
  info.formatVersion = kFormatVersion;
  info.pid = pid;
  info.parentPid = parent;
  info.parentEventIndex = parent == 0 ? 0 : 3;
  info.argv = std::move(argv);
  info.javaHome = o.javaHome;
  info.jvmVersion = "OpenJDK 64-Bit Server VM 25.0.3+9-LTS";
  info.cwd = o.cwd;
  info.env = o.env;
  info.systemProperties = {{"java.home", o.javaHome}, {"user.dir", o.cwd}};
  info.code = {jdkEntry(o, "release", 0x1234abcd, 1200), {"app.jar", CodeRole::kClasspath, 0xcafe, 2048}};
  if (o.jdkChecksums) info.code.insert(info.code.begin() + 1, jdkEntry(o, "lib/server/libjvm.so", 0, 0));
  info.startTimeMillis = kStartMillis + (parent == 0 ? 0 : 500);
  info.agentOptions = "record,tape=" + o.out;
  info.calls = callTable();
  return info;
}

std::unique_ptr<TapeWriter> openWriter(const Options& o, TapeWriter::Mode mode) {
  std::string error;
  auto writer = TapeWriter::open(o.out, mode, shebangLine(o.launcher), error);
  if (!writer) {
    std::fprintf(stderr, "make_test_tape: %s\n", error.c_str());
    std::exit(1);
  }
  return writer;
}

void writeRoot(TapeWriter& writer) {
  writer.submitThreadStart({0, "main"});
  writer.submitThreadStart({1, "worker-1"});

  EventBuffer main;
  main.appendValue(kNanoTime, 1000000);
  main.appendValue(kNanoTime, 1000500);
  const char* environ[] = {"PATH=/usr/bin", nullptr, "LANG=C.UTF-8"};
  auto items = main.begin(kEnviron, 0);
  for (const char* item : environ) {
    if (item == nullptr) {
      items.nullItem();
    } else {
      items.item(item, std::strlen(item));
    }
  }
  items.finish();
  main.begin(kReadBytes, 7).data("hello\n\x01", 7).finish();
  main.begin(kOpen, 0)
      .thrown("java.io.FileNotFoundException", "missing.txt (No such file or directory)", 2)
      .frame("java.io.FileInputStream.open(FileInputStream.java)", 213)
      .frame("demo.Main.main(Main.java)", 12)
      .finish();
  main.appendValue(kCurrentTimeMillis, kStartMillis + 42);
  writer.submit(0, 0, std::move(main));

  EventBuffer worker;
  worker.begin(kStat, 0).field(33188).field(1024).field(1763740000).finish();
  worker.appendValue(kNanoTime, 1000900);
  writer.submit(1, 0, std::move(worker));
}

void writeChild(const Options& o) {
  auto writer = openWriter(o, TapeWriter::Mode::kAppend);
  writer->writeProcessStart(processStart(o, o.pid + 1, o.pid, {"java", "-cp", "app.jar", "demo.Child"}));
  writer->submitThreadStart({0, "main"});
  EventBuffer main;
  main.appendValue(kNanoTime, 2000000);
  main.appendValue(kNanoTime, 2000100);
  writer->submit(0, 0, std::move(main));
  ProcessEndInfo end;
  end.exitStatus = 0;
  end.eventCount = 2;
  end.endTimeMillis = kStartMillis + 800;
  end.threads = {{0, "main"}};
  writer->finish(end);
}

int cutLastFrame(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return 1;
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  std::fclose(file);
  size_t offset = 0;
  while (offset < bytes.size() && bytes[offset] != '\n') ++offset;
  ++offset;
  size_t last = offset;
  FrameHeader header;
  while (offset + kFrameHeaderSize <= bytes.size() && decodeFrameHeader(bytes.data() + offset, header)) {
    last = offset;
    offset += kFrameHeaderSize + header.length;
  }
  return truncate(path.c_str(), static_cast<off_t>(last)) == 0 ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: make_test_tape [--java-home DIR] [--cwd DIR] [--pid N] [--exit N] [--env K=V]... "
               "[--arg A]... [--child] [--no-end] [--launcher PATH] [--jdk-checksums] OUT\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  char cwd[4096];
  o.cwd = getcwd(cwd, sizeof cwd) != nullptr ? cwd : "/";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage());
      return argv[++i];
    };
    if (arg == "--java-home") {
      o.javaHome = value();
    } else if (arg == "--cwd") {
      o.cwd = value();
    } else if (arg == "--pid") {
      o.pid = static_cast<uint32_t>(std::stoul(value()));
    } else if (arg == "--exit") {
      o.exitStatus = std::stoi(value());
    } else if (arg == "--env") {
      o.env.push_back(value());
    } else if (arg == "--arg") {
      o.args.push_back(value());
    } else if (arg == "--launcher") {
      o.launcher = value();
    } else if (arg == "--child") {
      o.child = true;
    } else if (arg == "--no-end") {
      o.end = false;
    } else if (arg == "--jdk-checksums") {
      o.jdkChecksums = true;
    } else if (!arg.empty() && arg[0] != '-' && o.out.empty()) {
      o.out = arg;
    } else {
      return usage();
    }
  }
  if (o.out.empty()) return usage();
  if (o.env.empty()) o.env = {"HOME=/home/ci", "LANG=C.UTF-8"};
  std::vector<std::string> recordedArgv{"java"};
  if (o.args.empty()) {
    o.args = {"-agentpath:/opt/retrace/lib/libretrace.so=record,tape=" + o.out, "-cp", "app.jar", "demo.Main",
              "hello world"};
  }
  recordedArgv.insert(recordedArgv.end(), o.args.begin(), o.args.end());

  auto root = openWriter(o, TapeWriter::Mode::kCreate);
  root->writeProcessStart(processStart(o, o.pid, 0, recordedArgv));
  writeRoot(*root);
  if (o.child) writeChild(o);
  ProcessEndInfo end;
  end.exitStatus = o.exitStatus;
  end.eventCount = 8;
  end.endTimeMillis = kStartMillis + 1234;
  end.threads = {{0, "main"}, {1, "worker-1"}};
  root->finish(end);
  root.reset();
  // A killed process leaves no end frame: the root's is the file's last frame, cut it off.
  return o.end ? 0 : cutLastFrame(o.out);
}
