// What a recording may make its replay run. A recording is input from someone else (a CI artifact,
// a bug report's attachment): the replay must not start a program, load a library or an agent, or
// change the JVM's error handling because the recording says so. Two rules:
//   - the JVM is found on this machine: the recorded build (the checksums of its release file and
//     libjvm.so) is matched against the JDKs here, never run from the recorded java.home;
//   - the recorded JVM options, on the command line and in JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and
//     _JAVA_OPTIONS, must be ones known to be safe to replay; anything else is refused by name.
// Program arguments (after the main class) are the program's: the agent answers everything the
// program asks of the outside from the recording, so they cannot reach the machine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "retrace/tape/process_info.h"

namespace retrace::launcher {

/** An option the replay will not pass: what it is, where it was, and why. */
struct Refusal {
  std::string option;
  std::string where;  // "the recorded command line", "the recorded JAVA_TOOL_OPTIONS"
  std::string why;
};

/** The JVM options of a java command line: argv[1..] up to the main class, -jar, -m or a source file. */
std::vector<std::string> jvmOptionsOf(const std::vector<std::string>& argv);

/**
 * The first option of `options` that the replay does not pass without --trust. `checkedCode` holds
 * the absolute paths whose checksums the recording carries and the agent verifies (-javaagent and
 * -Xbootclasspath/a may name those). `retraceAgentReplaced`: Retrace's agent options among them are
 * replaced by the replay's (the command line, JAVA_TOOL_OPTIONS), so they pass.
 */
std::optional<Refusal> firstUnsafeOption(const std::vector<std::string>& options, const std::string& where,
                                         const std::vector<std::string>& checkedCode, bool retraceAgentReplaced);

/**
 * Checks the recorded command line and the recorded JVM option variables of `start`; the checked
 * code is `start.code` resolved against the recorded working directory.
 */
std::optional<Refusal> checkRecordedOptions(const tape::ProcessStartInfo& start);

/** One line for a refusal, ending in what to do. */
std::string refusalMessage(const Refusal& refusal);

/**
 * The JDK homes to look at, in order, without duplicates: `explicitHome` alone when set (--java);
 * else RETRACE_JDKS (colon-separated homes), JAVA_HOME, the subdirectories of /usr/lib/jvm,
 * /usr/local/lib/jvm, /opt/java, ~/.sdkman/candidates/java and ~/.jdks, and the home of the
 * `java` on PATH. The recorded java.home is not among them unless one of these names it.
 */
std::vector<std::string> jdkCandidates(const std::string& explicitHome, const std::vector<std::string>& environment);

/** Another build of the recorded JDK's feature release: where it is and its version. */
struct OtherBuild {
  std::string home;
  std::string version;  // its release file's JAVA_RUNTIME_VERSION (or JAVA_VERSION)
};

/** "17" of "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1" or of "17.0.15"; empty when none. */
std::string featureRelease(const std::string& version);

/**
 * The first of `candidates` whose release file says the feature release the recording's JVM had
 * (JDK 17 for a recording made on 17.0.13), whatever its build: for --any-build.
 */
std::optional<OtherBuild> findOtherBuild(const tape::ProcessStartInfo& start,
                                         const std::vector<std::string>& candidates);

/**
 * The first of `candidates` whose release file and libjvm.so have the recorded checksums (the
 * kJavaHome entries of `start.code`), or empty with `why` saying what was looked at.
 */
std::string findRecordedJdk(const tape::ProcessStartInfo& start, const std::vector<std::string>& candidates,
                            std::string& why);

/** Whether `path` is the recording itself, or any file that starts like a recording. */
bool isRecordingFile(const std::string& path, const std::string& recording);

}  // namespace retrace::launcher
