// Redaction: environment variables and system properties whose names match a pattern get a fixed
// placeholder before any Java code runs, so the recorded program, its recording and its replays all
// see the placeholder and never the secret (docs/security-model.md#sharing-recordings).
#pragma once

#include <jvmti.h>

#include <string>
#include <string_view>
#include <vector>

namespace retrace::agent {

class Redaction {
 public:
  /** What a redacted value becomes: plain characters, safe unquoted in a shell or a URL. */
  static constexpr const char* kPlaceholder = "RETRACE_REDACTED";
  /** Separates patterns in the agent options (commas separate the options themselves). */
  static constexpr char kSeparator = ':';

  /** The well-known secret names redacted unless no_default_redact (docs/cli.md#redaction). */
  static const std::vector<std::string>& defaultPatterns();

  Redaction() = default;
  explicit Redaction(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

  /** Glob match, ASCII case-insensitive: `*` any run of characters, `?` one character. */
  static bool globMatch(std::string_view pattern, std::string_view name);
  /** "A:B:C" to its patterns; empty parts are dropped. */
  static std::vector<std::string> split(std::string_view list);

  bool matches(std::string_view name) const;
  bool empty() const { return patterns_.empty(); }
  const std::vector<std::string>& patterns() const { return patterns_; }
  /** The patterns as the agent options carry them: "A:B:C". */
  std::string joined() const;

  /** `-Dname=value` with a matching name becomes `-Dname=PLACEHOLDER`; anything else is returned as is. */
  std::string argument(const std::string& arg) const;
  /**
   * The command line with each JVM option `-Dname=value` of a matching name redacted. Only the
   * options before the main class (or -jar, -m): the program's own arguments reach it unchanged,
   * so redacting them would make the replay differ from the recorded run.
   */
  std::vector<std::string> commandLine(const std::vector<std::string>& argv) const;
  /**
   * A JVM option list as JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, MAVEN_OPTS carry it: each `-Dname=value`
   * token (whitespace-separated, a value may be quoted) with a matching name gets the placeholder.
   */
  std::string optionList(const std::string& value) const;
  /**
   * One `NAME=VALUE` environment entry as it is to be seen: a matching NAME with a non-empty value
   * gets the placeholder; a variable named *OPTIONS or *OPTS has its `-D` tokens redacted. Sets
   * `changed` when the entry differs.
   */
  std::string environmentEntry(const std::string& entry, bool& changed) const;
  /** Whether a variable of this name holds JVM options (its -D tokens are redacted). */
  static bool holdsJvmOptions(std::string_view name);

  /** Rewrites this process's environment (setenv) as environmentEntry says; returns how many changed. */
  int applyToEnvironment() const;
  /**
   * Sets every matching system property with a non-empty value to the placeholder. Only in the OnLoad
   * phase, before the JVM hands its properties to java.lang.System. Returns how many were set, and
   * the names JVMTI refused in `refused`.
   */
  int applyToProperties(jvmtiEnv* jvmti, std::vector<std::string>& refused) const;

 private:
  std::vector<std::string> patterns_;
};

}  // namespace retrace::agent
