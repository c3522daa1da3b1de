// retrace-replay: the program a recording's shebang line runs.
//
//   #!/abs/dist/bin/retrace-replay --recording      so that  ./run.retrace [args]  runs
//   retrace-replay --recording ./run.retrace [args]
//
// With no args (or only --pid N / --check-stacks / --debug PORT / --verbose) it replays: it execs the recorded JVM with
// the agent in replay mode. Any other args are a verb of the facade: it execs <launcher dir>/retrace.
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "jdwp_guard.h"
#include "local_code.h"
#include "replay_command.h"
#include "retrace/tape/reader.h"
#include "trust.h"

extern char** environ;

namespace {

using retrace::launcher::ReplayCommand;
using retrace::launcher::ReplayRequest;

/** A listening socket at HOST:PORT (SO_REUSEADDR, close-on-exec), or -1 with `error` set. */
int listenAt(const std::string& address, std::string& error) {
  size_t colon = address.rfind(':');
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int status = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); status != 0) {
    error = std::string("cannot resolve ") + host + ": " + gai_strerror(status);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 4) != 0) {
      error = std::string("cannot listen there: ") + std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

/** A loopback port nobody listens on now, for the JVM's own JDWP agent; -1 with `error` set. */
int freeLoopbackPort(std::string& error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    error = std::string("no free loopback port: ") + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return ntohs(address.sin_port);
}

/**
 * Forks the guard that relays debuggers to the JVM this process is about to become. It ends with
 * the JVM (its parent): when the JVM's side closes, or at the latest by PR_SET_PDEATHSIG.
 */
void startDebugGuard(int listener, int jvmPort) {
  pid_t parent = getpid();
  pid_t child = fork();
  if (child != 0) {
    close(listener);  // the JVM does not need it (close-on-exec would do it too)
    return;
  }
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(0);
  // Not the program's output: the test or terminal reading it sees its end when the JVM ends.
  int devNull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devNull >= 0) {
    dup2(devNull, STDIN_FILENO);
    dup2(devNull, STDOUT_FILENO);
  }
  retrace::launcher::relayDebuggers(listener, jvmPort);
  _exit(0);
}

// Exit codes shared with the agent (docs/cli.md).
constexpr int kExitUsage = 2;
constexpr int kExitDiffers = 121;     // the JVM or the directory of the recording is not here
constexpr int kExitUnreadable = 122;  // not a recording, or damaged before its first process
constexpr int kExitRefused = 124;     // the recording asks for something the replay does not run untrusted
constexpr int kExitNoFacade = 127;

const char kUsage[] =
    "Usage: retrace-replay --recording FILE [--pid PID] [--check-stacks] [--debug [HOST:]PORT] [--java DIR]\n"
    "                      [--trust] [--verbose]\n"
    "       retrace-replay --recording FILE <retrace arguments>\n"
    "\n"
    "Replays a Retrace recording. A recording's first line runs this program, so\n"
    "`./run.retrace` is the same as `retrace-replay --recording ./run.retrace`.\n"
    "\n"
    "Options:\n"
    "  --pid PID        replay this process of the recording (default: the root process)\n"
    "  --check-stacks   also compare each event's Java stack with the recorded one (a\n"
    "                   recording made with --stacktraces): a replay that reaches an event\n"
    "                   by another path stops there, not where the calls first differ\n"
    "  --debug [HOST:]PORT  start suspended, a debugger (JDWP) listening at HOST:PORT\n"
    "                   (default host 127.0.0.1): attach IntelliJ's \"Remote JVM Debug\", VS Code's\n"
    "                   Java attach or jdb -attach HOST:PORT, and debug the replay forwards\n"
    "  --java DIR       the JDK to replay with (its home); default: the first JDK on this machine\n"
    "                   that is the recorded build (RETRACE_JDKS, JAVA_HOME, /usr/lib/jvm/*, ...)\n"
    "  --trust          run the JVM options the recording carries even when they are not known to\n"
    "                   be safe (-XX:OnError, other agents, ...), and the recorded java.home when no\n"
    "                   JDK here matches: only for recordings from someone you trust\n"
    "  --verbose        print the replay command to stderr, and make the agent verbose\n"
    "  --help           print this help\n"
    "\n"
    "Any other arguments go to the retrace CLI next to this program, e.g.:\n"
    "  ./run.retrace --list_pids       the processes, root first\n"
    "  ./run.retrace --extract [DIR]   one replayable <PID>.bin per process\n"
    "  ./run.retrace summary           what the recording holds\n"
    "  ./run.retrace print [--json]    its events\n"
    "\n"
    "Exit status: the replayed program's own, or 120 divergence, 121 the JVM or the working\n"
    "directory of the recording is not on this machine, 122 recording unreadable, 123 replay\n"
    "ran past the end of an incomplete recording, 124 the recording carries an option the\n"
    "replay does not run without --trust, 2 usage error or a --pid that names no process of\n"
    "the recording.\n";

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "retrace-replay: %s\n", message.c_str());
  return code;
}

int usageError(const std::string& message) {
  std::fprintf(stderr, "retrace-replay: %s\n%s", message.c_str(), kUsage);
  return kExitUsage;
}

std::string launcherDirectory() {
  char buffer[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

/** Execs `<launcher dir>/retrace FIRST... REST...`; returns only when that fails. */
int execFacade(std::vector<std::string> first, const std::vector<std::string>& rest) {
  std::string facade = launcherDirectory() + "/retrace";
  first.insert(first.begin(), facade);
  first.insert(first.end(), rest.begin(), rest.end());
  std::vector<char*> args = cStrings(first);
  execv(facade.c_str(), args.data());
  return fail(kExitNoFacade, "cannot run the retrace CLI " + facade + ": " + std::strerror(errno));
}

int forwardToFacade(const std::string& recording, const std::vector<std::string>& rest) {
  return execFacade({"--recording", recording}, rest);
}

struct ReplayOptions {
  bool replay = true;  // false: the arguments are for the facade
  bool hasPid = false;
  uint32_t pid = 0;
  bool verbose = false;
  bool checkStacks = false;
  bool trust = false;
  bool anyBuild = false;  // another build of the recorded feature release will do
  std::string javaHome;
  std::string debugAddress;
  std::string whyPath;
  std::string codeMap;  // a packed recording's code map, from `retrace replay` (local_code.h)
  std::string error;
};

bool parsePid(const std::string& text, uint32_t& pid) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long long value = std::stoull(text);
  if (value > UINT32_MAX) return false;
  pid = static_cast<uint32_t>(value);
  return true;
}

ReplayOptions parseReplayOptions(const std::vector<std::string>& rest) {
  ReplayOptions options;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& arg = rest[i];
    if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--check-stacks") {
      options.checkStacks = true;
    } else if (arg == "--trust") {
      options.trust = true;
    } else if (arg == "--any-build") {
      options.anyBuild = true;
    } else if (arg == "--java" || arg.rfind("--java=", 0) == 0) {
      if (arg == "--java" && i + 1 == rest.size()) {
        options.error = "--java needs a JDK home";
        return options;
      }
      options.javaHome = arg == "--java" ? rest[++i] : arg.substr(7);
      if (options.javaHome.empty()) {
        options.error = "--java needs a JDK home";
        return options;
      }
    } else if (arg == "--why") {
      // For `retrace why` (the facade gives a path of its own): not in --help.
      if (i + 1 == rest.size() || rest[i + 1].empty() || rest[i + 1].find(',') != std::string::npos) {
        options.error = "--why needs a path without a comma";
        return options;
      }
      options.whyPath = rest[++i];
    } else if (arg == "--code-map") {
      // For `retrace replay` of a packed recording (it extracts the pack first): not in --help.
      if (i + 1 == rest.size() || rest[i + 1].empty() || rest[i + 1][0] != '/' ||
          rest[i + 1].find(',') != std::string::npos) {
        options.error = "--code-map needs an absolute path without a comma";
        return options;
      }
      options.codeMap = rest[++i];
    } else if (arg == "--debug" || arg.rfind("--debug=", 0) == 0) {
      if (arg == "--debug" && i + 1 == rest.size()) {
        options.error = "--debug needs PORT or HOST:PORT";
        return options;
      }
      std::string value = arg == "--debug" ? rest[++i] : arg.substr(8);
      if (!retrace::launcher::debugAddress(value, options.debugAddress, options.error)) return options;
    } else if (arg == "--pid" || arg.rfind("--pid=", 0) == 0) {
      std::string value;
      if (arg == "--pid") {
        if (i + 1 == rest.size()) {
          options.error = "--pid needs a process id";
          return options;
        }
        value = rest[++i];
      } else {
        value = arg.substr(6);
      }
      if (!parsePid(value, options.pid)) {
        options.error = "--pid needs a process id, not '" + value + "'";
        return options;
      }
      options.hasPid = true;
    } else {
      options.replay = false;
      return options;
    }
  }
  return options;
}

// The agent compares every code file with the recording, but a missing `java -jar` archive stops the
// java launcher before any agent is loaded, with a message that reads like the program's own.
std::string firstMissingCode(const std::vector<retrace::tape::CodeEntry>& entries, const std::string& recordedCwd,
                             const retrace::tape::CodeMap& map) {
  for (const retrace::tape::CodeEntry& code : entries) {
    if (code.role != retrace::tape::CodeRole::kClasspath || code.size == retrace::tape::CodeEntry::kMissing) continue;
    std::string absolute = retrace::launcher::normalizePath(
        !code.path.empty() && code.path[0] == '/' ? code.path : recordedCwd + "/" + code.path);
    std::string local = map.local(absolute);
    if (access((local.empty() ? absolute : local).c_str(), F_OK) != 0) return code.path;
  }
  return "";
}

/**
 * A packed recording replays with its code extracted, which the facade does (`retrace replay`
 * checks every file of the pack and writes the code map): `./FILE` of a packed recording goes there.
 */
int forwardPackedToFacade(const std::string& recording, const std::vector<std::string>& rest) {
  if (getenv("RETRACE_PACK_FORWARDED") != nullptr) {
    return fail(kExitUnreadable, "cannot replay " + recording + ": it is packed, and no code map was given");
  }
  setenv("RETRACE_PACK_FORWARDED", "1", 1);
  return execFacade({"replay", recording}, rest);
}

std::string pidList(const std::vector<uint32_t>& pids) {
  std::string list;
  for (uint32_t pid : pids) list += (list.empty() ? "" : ", ") + std::to_string(pid);
  return list;
}

int replay(const std::string& recording, const ReplayOptions& options, const std::vector<std::string>& rest) {
  std::string error;
  std::unique_ptr<retrace::tape::TapeReader> reader = retrace::tape::TapeReader::open(recording, error);
  if (!reader) return fail(kExitUnreadable, error);
  if (reader->packOffset() != 0 && options.codeMap.empty()) return forwardPackedToFacade(recording, rest);
  retrace::tape::CodeMap codeMap;
  if (!options.codeMap.empty()) {
    std::optional<retrace::tape::CodeMap> loaded = retrace::tape::CodeMap::load(options.codeMap, error);
    if (!loaded) return fail(kExitUnreadable, error);
    codeMap = std::move(*loaded);
  }
  if (reader->stop().tampered) {
    return fail(kExitUnreadable, "refusing to replay " + recording + ": it was changed after it was recorded (" +
                                     reader->stop().reason + ")");
  }
  std::vector<uint32_t> pids = reader->pids();
  if (pids.empty()) return fail(kExitUnreadable, recording + " holds no process");
  uint32_t pid = options.hasPid ? options.pid : pids.front();
  const retrace::tape::ProcessStartInfo* start = reader->processStart(pid);
  if (start == nullptr) {
    // The same line as `retrace replay --pid N` prints, and the same exit status.
    std::string message =
        "no process " + std::to_string(pid) + " in " + recording + " (its processes: " + pidList(pids) + ")";
    if (!reader->stop().clean) {
      message += "; " + recording + " stops early, at offset " + std::to_string(reader->stop().offset) +
                 ": a process that started after that is not in it";
    }
    return fail(kExitUsage, message);
  }

  char absolute[PATH_MAX];
  if (realpath(recording.c_str(), absolute) == nullptr) {
    return fail(kExitUnreadable, "cannot resolve " + recording + ": " + std::strerror(errno));
  }
  ReplayRequest request;
  request.agentPath = retrace::launcher::normalizePath(launcherDirectory() + "/../lib/libretrace.so");
  request.recordingPath = absolute;
  request.pid = pid;
  request.verbose = options.verbose;
  request.checkStacks = options.checkStacks;
  // The debugger attaches to the guard (jdwp_guard.h), which listens at the user's address and
  // relays to the JVM's JDWP agent on a private loopback port.
  int debugListener = -1;
  if (!options.debugAddress.empty()) {
    std::string error;
    debugListener = listenAt(options.debugAddress, error);
    int jvmPort = debugListener < 0 ? -1 : freeLoopbackPort(error);
    if (jvmPort < 0) return fail(kExitUsage, "--debug " + options.debugAddress + ": " + error);
    request.debugAddress = "127.0.0.1:" + std::to_string(jvmPort);
    request.debugGuardPort = jvmPort;
  }
  request.whyPath = options.whyPath;
  request.codeMapPath = options.codeMap;
  if (request.recordingPath.find(',') != std::string::npos) {
    return fail(kExitUsage,
                "the path " + request.recordingPath +
                    " contains a comma, which the agent options cannot carry: move or rename the recording");
  }

  std::vector<std::string> current;
  for (char** e = environ; *e != nullptr; ++e) current.emplace_back(*e);
  if (!options.trust) {
    if (auto refusal = retrace::launcher::checkRecordedOptions(*start)) {
      return fail(kExitRefused, retrace::launcher::refusalMessage(*refusal));
    }
    // The recording as the program's code: a file that is both would run code its author chose.
    for (const retrace::tape::CodeEntry& code : start->code) {
      std::string path = code.path.empty() || code.path[0] == '/' ? code.path : start->cwd + "/" + code.path;
      if (code.role != retrace::tape::CodeRole::kJavaHome && retrace::launcher::isRecordingFile(path, absolute)) {
        return fail(kExitRefused, "refusing to replay: the recorded code " + code.path +
                                      " is a recording, not code of the program; replay it only if you trust who "
                                      "made the recording, with --trust (docs/security-model.md)");
      }
    }
  }
  std::string why;
  std::vector<std::string> candidates = retrace::launcher::jdkCandidates(options.javaHome, current);
  request.javaHome = retrace::launcher::findRecordedJdk(*start, candidates, why);
  if (request.javaHome.empty()) {
    if (auto other = retrace::launcher::findOtherBuild(*start, candidates)) {
      std::string feature = retrace::launcher::featureRelease(start->jvmVersion);
      if (options.anyBuild) {
        request.javaHome = other->home;
        request.anyBuild = true;
        std::fprintf(stderr,
                     "retrace-replay: replaying on %s (%s), another build of JDK %s than the recorded %s "
                     "(--any-build): the replay stops at the first difference it makes (exit 120)\n",
                     other->home.c_str(), other->version.c_str(), feature.c_str(), start->jvmVersion.c_str());
      } else {
        why += "; " + other->home + " (" + other->version + ") is another build of JDK " + feature +
               ": replay on it with --any-build, and the replay stops at the first difference it makes";
      }
    }
  }
  if (request.javaHome.empty()) {
    if (!options.trust || !options.javaHome.empty()) return fail(kExitDiffers, "cannot replay: " + why);
    request.javaHome = start->javaHome;  // trusted: the recorded one, checked by the agent as before
  }
  ReplayCommand command = retrace::launcher::buildReplayCommand(*start, request, current);
  command.argv = retrace::launcher::withLocalCode(command.argv, start->cwd, codeMap);
  std::vector<retrace::tape::CodeEntry> code = start->code;
  reader.reset();  // the mapping is not needed by the replay JVM

  if (access(command.program.c_str(), X_OK) != 0) {
    return fail(kExitDiffers, "the JVM of this recording (" + request.javaHome + ") is not on this machine");
  }
  if (access(request.agentPath.c_str(), R_OK) != 0) {
    return fail(kExitDiffers, "the agent " + request.agentPath + " is missing (build Retrace first)");
  }
  // A packed recording replays anywhere: where the recorded directory is not, in the directory of
  // its extracted code (nothing is read from it but code; the program sees the recorded one).
  if (!codeMap.empty() && access(command.cwd.c_str(), X_OK) != 0) {
    command.cwd = options.codeMap.substr(0, options.codeMap.rfind('/'));
    if (command.cwd.empty()) command.cwd = "/";
  }
  if (options.verbose) {
    std::fprintf(stderr, "retrace-replay: %s\n", retrace::launcher::shellLine(command, current).c_str());
  }
  if (chdir(command.cwd.c_str()) != 0) {
    return fail(kExitDiffers, "the working directory of this recording (" + command.cwd +
                                  ") is not on this machine: " + std::strerror(errno));
  }
  // After chdir: a relative entry is relative to the recorded working directory.
  std::string missingCode = firstMissingCode(code, start->cwd, codeMap);
  if (!missingCode.empty()) {
    std::string why = missingCode.find("/surefirebooter") != std::string::npos
                          ? "Surefire deletes its booter jar after the run: record with Surefire's useManifestOnlyJar "
                            "set to false, see docs/test-runs.md"
                          : "it was there when recorded, and replay runs the recorded code";
    return fail(kExitDiffers, "the classpath entry " + missingCode + " is missing (" + why + ")");
  }
  if (!options.debugAddress.empty()) {
    std::fprintf(stderr,
                 "retrace-replay: the replay waits for a debugger at %s: attach IntelliJ's \"Remote JVM Debug\", "
                 "VS Code's Java attach, or jdb -attach %s\n",
                 options.debugAddress.c_str(), options.debugAddress.c_str());
  }
  if (debugListener >= 0) startDebugGuard(debugListener, request.debugGuardPort);
  std::vector<char*> args = cStrings(command.argv);
  std::vector<char*> env = cStrings(command.env);
  execve(command.program.c_str(), args.data(), env.data());
  return fail(kExitDiffers, "cannot run " + command.program + ": " + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usageError("no recording given");
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  size_t next = 1;
  std::string recording;
  if (args[0] == "--recording") {
    if (args.size() < 2) return usageError("--recording needs a file");
    recording = args[1];
    next = 2;
  } else if (args[0].rfind("--recording=", 0) == 0) {
    recording = args[0].substr(12);
  } else if (args[0][0] == '-') {
    return usageError("unknown option '" + args[0] + "'");
  } else {
    recording = args[0];
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(next), args.end());

  ReplayOptions options = parseReplayOptions(rest);
  if (!options.replay) return forwardToFacade(recording, rest);
  if (!options.error.empty()) return usageError(options.error);
  return replay(recording, options, rest);
}
