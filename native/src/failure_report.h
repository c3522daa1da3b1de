// `retrace why`: what the replayed program was doing when it failed, taken by the replay agent
// (option why=FILE) at the throw, with nothing run in the program's JVM that the recording did not
// run: values are read through JNI and JVMTI only (no toString, no identity hash), so the replay
// goes on exactly as without it.
#pragma once

#include <jvmti.h>

#include <mutex>
#include <string>
#include <vector>

namespace retrace::agent {

struct ThreadState;

class FailureReport {
 public:
  /** The capabilities it needs, added at OnLoad when `path` is set (replay with why=). */
  static bool addCapabilities(jvmtiEnv* jvmti);

  /** Starts taking failures into `path` (written again at each one, so a JVM killed after keeps it). */
  void start(jvmtiEnv* jvmti, JNIEnv* env, std::string path);

  bool active() const { return !path_.empty(); }

  /**
   * An exception thrown in an application thread: kept when nothing catches it, or when it is an
   * AssertionError (what JUnit, TestNG and `assert` throw when a test fails, caught by the runner).
   */
  void onThrow(JNIEnv* env, jthread thread, const ThreadState& state, jobject exception, jmethodID catchMethod);

  /**
   * A class was linked: when it is java.lang.Shutdown, a breakpoint goes on its exit(int), where
   * System.exit and Runtime.exit end up (start() does it when the class is linked already).
   */
  void onClassPrepare(jclass klass);

  /** The breakpoint on Shutdown.exit was hit: a non-zero status is a failure, with its caller's frames. */
  void onExit(JNIEnv* env, jthread thread, const ThreadState& state);

  /** A test the JUnit listener of a replayed test run reports as failed (test_runs.h). */
  void onTestFailed(const std::string& report);

 private:
  void write();
  /** Sets the breakpoint on Shutdown.exit(int) when `klass` is java.lang.Shutdown. */
  void watchExit(jclass klass);

  jvmtiEnv* jvmti_ = nullptr;
  std::string path_;
  jclass assertionError_ = nullptr;
  bool exitWatched_ = false;
  std::mutex mutex_;
  std::vector<std::string> failures_;  // JSON objects, oldest first
  std::vector<jobject> thrown_;        // their exceptions (global references): a rethrow is not news
  std::vector<std::string> tests_;     // failed tests as the listener reports them
};

}  // namespace retrace::agent
