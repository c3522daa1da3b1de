// The program's code: pass-through (read live, not recorded) and checksummed into the recording,
// so that replay can refuse to run different code.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "retrace/tape/process_info.h"

namespace retrace::agent {

class CodeIdentity {
 public:
  /**
   * Code is: everything under java.home, the agent, jar (and other file) entries of the class and
   * module paths, and the .class files below their directory entries. Other files in a classpath
   * directory are data (`java -cp .` next to input.txt) and are recorded like any file.
   */
  void init(const std::string& cwd, const std::string& javaHome, const std::string& classPath,
            const std::string& modulePath, const std::string& agentPath);

  /** A file the agent itself brings into the program (lib/retrace-junit.jar): code, checksummed. */
  void addAgentFile(const std::string& path);

  /** A directory or file that is code on replay only: a packed recording's local copy (local_code.h). */
  void addLocalCopy(const std::string& path) { trees_.push_back(normalize(cwd_, path)); }

  /** True when `path` (absolute, or relative to the start directory) lies under a code root. */
  bool isCode(const char* path) const;

  /**
   * A jar, zip or class file: what a class loader reads. Such a file opened from inside the JDK's
   * class path machinery (a URLClassLoader's jars, JUnit's or Maven's class loaders) is code
   * found as the program runs: read live like the class path, not recorded, and checksummed at
   * the end of the recording (foundCode) for replay to check.
   */
  static bool looksLikeCode(const std::string& path);
  void noteFoundCode(const std::string& path);
  std::vector<tape::CodeEntry> foundCode() const;

  /** Checksums of the files that identify the JDK build, the classpath entries and the agent. */
  std::vector<tape::CodeEntry> fingerprint() const;

  /** Empty when `recorded` matches what is on disk now; else one line naming what differs. */
  static std::string compare(const std::vector<tape::CodeEntry>& recorded);

  static std::string normalize(const std::string& cwd, const std::string& path);

  /** The jars of -javaagent options, on this JVM's command line and in its option variables. */
  static std::vector<std::string> javaAgentJars();

 private:
  std::string cwd_;
  std::string javaHome_;
  std::string agentPath_;
  std::vector<std::string> classPath_;
  std::vector<std::string> agentFiles_;
  std::vector<std::string> trees_;  // every file below is code
  mutable std::mutex foundMutex_;
  std::set<std::string> found_;  // noteFoundCode, normalised
};

}  // namespace retrace::agent
