// A packed recording replays with its code extracted elsewhere: `retrace replay` checks the pack
// and writes a code map (retrace/tape/code_map.h), the launcher passes it as codemap=. The program
// still names the recorded paths (its class path, its user.dir are the recorded ones); the replay
// agent points its reads of code at the local copies, and checks those against the recorded
// checksums. Retrace's own recorded files (the agent, the JUnit listener jar) are mapped to this
// installation's, packed or not: a recording made by the same build elsewhere replays here.
#pragma once

#include <jni.h>

#include <string>

#include "boundary.h"
#include "retrace/tape/code_map.h"

namespace retrace::agent {

class LocalCode {
 public:
  /** Reads the code map codemap= names; false with a one-line `error`. */
  bool load(const std::string& mapPath, std::string& error);
  /** A recorded file of Retrace's own is `local` here (when the two differ). */
  void mapOwnFile(const std::string& recorded, const std::string& local);
  /** Relative recorded paths are relative to this. */
  void setRecordedCwd(const std::string& cwd) { recordedCwd_ = cwd; }

  bool empty() const { return map_.empty(); }
  /** The local copies: code too, when the program is handed their paths (the jar of `java -jar`). */
  std::vector<std::string> localRoots() const { return map_.locals(); }
  /** A path the program named, absolute as it was when recorded (relative: to the recorded cwd). */
  std::string absolute(const std::string& path) const;
  /** The local copy of a recorded path; empty when it is not mapped (or nothing is). */
  std::string localOf(const std::string& path) const;

 private:
  tape::CodeMap map_;
  std::string recordedCwd_;
};

/**
 * For the length of one pass-through call: when its path argument (ARG_STRING, ARG_FILE,
 * ARG_CSTR) names mapped code, the call gets the local copy's path instead. A File argument's
 * path field is changed for the call and put back after it (no Java code runs in between).
 */
class LocalPathArgument {
 public:
  LocalPathArgument(CallFrame& frame, const LocalCode& code);
  ~LocalPathArgument();
  LocalPathArgument(const LocalPathArgument&) = delete;
  LocalPathArgument& operator=(const LocalPathArgument&) = delete;

  /**
   * A call that answers with a path (canonicalize0, realpath0) answered with the local copy's:
   * the program gets the recorded path instead, as it did when recorded.
   */
  void answerRecordedPath(jvalue& result);

 private:
  CallFrame& frame_;
  std::string recorded_;  // the path the program named, absolute; empty: not mapped
  std::string local_;
  jobject file_ = nullptr;  // ARG_FILE: the File whose path field is put back
  jstring recordedPath_ = nullptr;
  std::string localBytes_;  // ARG_CSTR: the local path, NUL-terminated, alive for the call
};

}  // namespace retrace::agent
