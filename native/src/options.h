// The agent's option string: -agentpath:libretrace.so=record,tape=run.retrace,save_on=failure
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace retrace::agent {

enum class Mode { kRecord, kReplay };
enum class SaveOn { kAlways, kFailure };

struct Options {
  Mode mode = Mode::kRecord;
  std::string tape;  // empty: retrace-<pid>.retrace in the working directory (record)
  SaveOn saveOn = SaveOn::kAlways;
  bool stacktraces = false;  // store the Java stack with each event
  bool verbose = false;
  // replay: compare each event's Java stack with the recorded one (a recording with stacktraces)
  bool checkStacks = false;
  // replay: a debugger is attached (retrace replay --debug): its method calls are not the program's
  bool debug = false;
  std::string why;        // replay: write what the program was doing when it failed here (failure_report.h)
  bool anyBuild = false;  // replay: the JDK is another build of the recorded feature release (--any-build)
  std::string codeMap;    // replay: where a packed recording's code is here (retrace/tape/code_map.h, local_code.h)
  uint32_t pid = 0;       // replay: which process of the recording (0: the first)
  // record: how long a thread may run without a scheduling point while another waits before the
  // waiter is let run beside it (docs/threads.md); 0: never, a spin-wait then hangs
  uint32_t escapeAfterMillis = 200;
  // record: stop a thread between scheduling points when another waits, at a method entry counted
  // by bytecode the agent adds to classes not loaded by the boot loader (docs/threads.md). Off by
  // default until it replays every corpus workload. Replay follows the recording's own options.
  bool preempt = false;
  // record: preempt=fields (implies preempt): ticks also before every field and array access of
  // those classes, so a thread can be stopped between the read and the write of one `count++`.
  bool preemptFields = false;
  // record: chaos mode (implies preempt): random slices in ticks, random thread priorities and
  // yields (demux/src/chaos.h), so that record-until-it-fails meets rare interleavings sooner.
  bool chaos = false;
  // record: weak and soft references hold their referents strongly, so the collector clears none of
  // them (docs/limitations.md#garbage-collection-and-memory). Replay follows the recording.
  bool keepReferences = false;
  // record: a child process started by this JVM gets the agent with these options (a `java` on its
  // command line, anything else through JAVA_TOOL_OPTIONS), so child JVMs record into the same
  // recording; no_children turns it off. An agent in JAVA_TOOL_OPTIONS reaches children anyway.
  bool children = true;
  // record: names of environment variables and system properties to redact (redaction.h), from
  // redact=A:B (repeatable), on top of the default list unless no_default_redact.
  std::vector<std::string> redactPatterns;
  bool defaultRedact = true;
  // redacted=A:B: the patterns a recording was made with, as the recording agent writes them into
  // the recorded options; replay redacts the same. Absent in recordings made before redaction.
  bool redactedSeen = false;
  std::vector<std::string> redacted;
  std::string raw;  // the string as given, stored in the recording
};

/**
 * The options a child process's agent records with (record mode, `children`): the recording
 * agent's own option text `raw`, with its tape (which may be relative, or left to the default
 * name) replaced by `absoluteTape`, so that a child running elsewhere appends to the same file.
 */
std::string childAgentOptions(const std::string& raw, const std::string& absoluteTape);

/** Parses `text` (may be null). On failure returns false and a one-line message in `error`. */
bool parseOptions(const char* text, Options& options, std::string& error);

/** The patterns to redact when recording: the defaults (unless turned off) and redact=. */
std::vector<std::string> effectiveRedactPatterns(const Options& options);

/** One line naming every option, for error messages. */
const char* optionsUsage();

}  // namespace retrace::agent
