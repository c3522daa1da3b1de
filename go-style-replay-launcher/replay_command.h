// Builds the command that replays one process of a recording: the recorded java command line
// with the retrace agent switched to replay, the recorded JVM option variables, the recorded cwd.
// Pure functions of their inputs, so the rewriting is unit-tested without a JVM.
#pragma once

#include <string>
#include <vector>

#include "retrace/tape/process_info.h"

namespace retrace::launcher {

/** What the user asked for, in the launcher's terms. */
struct ReplayRequest {
  std::string agentPath;      // <dist>/lib/libretrace.so
  std::string recordingPath;  // absolute
  uint32_t pid = 0;
  bool verbose = false;
  bool checkStacks = false;
  std::string debugAddress;  // HOST:PORT for a debugger (JDWP), empty: none
  int debugGuardPort = -1;   // the JVM's private JDWP port behind the guard (jdwp_guard.h)
  std::string whyPath;       // where the agent writes what the program was doing when it failed (why=)
  std::string javaHome;      // the JDK found on this machine (trust.h); empty: the recorded java.home
  bool anyBuild = false;     // javaHome is another build of the recorded feature release (any_build)
  std::string codeMapPath;   // a packed recording's code map (local_code.h, codemap=); empty: code where recorded
};

/** The JDWP agent of a replay a debugger attaches to: listening at `address`, suspended before main. */
std::string debuggerAgentArgument(const std::string& address);

/**
 * Checks a --debug value, PORT or HOST:PORT (port 1-65535), and gives the address JDWP listens at
 * (127.0.0.1 when no host is given). False with `error` set for anything else.
 */
bool debugAddress(const std::string& value, std::string& address, std::string& error);

/** Everything execv needs, plus the directory to run in. */
struct ReplayCommand {
  std::string program;            // <javaHome>/bin/java
  std::vector<std::string> argv;  // argv[0] == program
  std::vector<std::string> env;   // KEY=VALUE
  std::string cwd;
};

/** True for -agentpath:<...>/libretrace.so[=...] and -agentlib:retrace[=...]. */
bool isRetraceAgentArgument(const std::string& argument);

/** -agentpath:<agentPath>=replay,tape=<recording>,pid=<pid>[,check_stacks][,debug][,why=<path>][,codemap=<path>][,verbose] */
std::string replayAgentArgument(const ReplayRequest& request);

/**
 * The recorded argv with argv[0] replaced by `javaPath` and the first retrace agent argument
 * replaced by `agentArgument` (other retrace agent arguments dropped). When the recorded argv
 * had none (the agent came from JAVA_TOOL_OPTIONS), `agentArgument` goes right after argv[0].
 */
std::vector<std::string> replayArguments(const std::vector<std::string>& recordedArgv, const std::string& javaPath,
                                         const std::string& agentArgument);

/**
 * Removes retrace agent options from a JAVA_TOOL_OPTIONS value. Tokens are split the way
 * HotSpot splits the variable (white space, with '...' and "..." quoting); the other tokens are
 * kept as written.
 */
std::string withoutRetraceAgent(const std::string& javaToolOptions);

/**
 * The replay environment: `current`, except that JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS,
 * _JAVA_OPTIONS and CLASSPATH take their values from `recorded` (JAVA_TOOL_OPTIONS without the
 * retrace agent) and are absent when they were absent in the recording or only held the agent.
 */
std::vector<std::string> replayEnvironment(const std::vector<std::string>& current,
                                           const std::vector<std::string>& recorded);

/** Puts it all together for one recorded process. */
ReplayCommand buildReplayCommand(const tape::ProcessStartInfo& start, const ReplayRequest& request,
                                 const std::vector<std::string>& currentEnvironment);

/** The command as one line a shell would run the same way (for --verbose). */
std::string shellLine(const ReplayCommand& command, const std::vector<std::string>& currentEnvironment);

/** `path` with "." and ".." segments removed, lexically (no file system access). */
std::string normalizePath(const std::string& path);

}  // namespace retrace::launcher
