#include "test_runs.h"

#include <unistd.h>

#include <cstring>

#include "agent.h"
#include "record_session.h"
#include "replay_session.h"

namespace retrace::agent::test_runs {

std::string listenerJar(const std::string& agentPath) {
  size_t slash = agentPath.rfind('/');
  return (slash == std::string::npos ? std::string(".") : agentPath.substr(0, slash)) + "/retrace-junit.jar";
}

bool isListenerJar(const std::string& path) {
  static const char kName[] = "/retrace-junit.jar";
  return path.size() >= sizeof kName - 1 &&
         path.compare(path.size() - (sizeof kName - 1), sizeof kName - 1, kName) == 0;
}

bool addListener(jvmtiEnv* jvmti, const std::string& jar) {
  return jvmti->AddToSystemClassLoaderSearch(jar.c_str()) == JVMTI_ERROR_NONE;
}

bool isSurefireFork(const std::string& javaCommand) {
  static const char kForkedBooter[] = "org.apache.maven.surefire.booter.ForkedBooter";
  return javaCommand.compare(0, sizeof kForkedBooter - 1, kForkedBooter) == 0 ||
         javaCommand.find("/surefirebooter") != std::string::npos;
}

void onTestReport(JNIEnv* env, jstring text, jboolean failed) {
  Agent& agent = Agent::get();
  if (!agent.active()) return;
  if (agent.recording()) {
    if (failed) agent.recorder().noteTestFailed();
    return;
  }
  const char* chars = text == nullptr ? nullptr : env->GetStringUTFChars(text, nullptr);
  if (chars == nullptr) return;
  std::string out;
  for (const char* line = chars; *line != '\0';) {
    const char* end = std::strchr(line, '\n');
    size_t length = end == nullptr ? std::strlen(line) : static_cast<size_t>(end - line);
    out.append("retrace: ").append(line, length).append("\n");
    line += length + (end == nullptr ? 0 : 1);
  }
  if (failed) agent.failures().onTestFailed(chars);
  env->ReleaseStringUTFChars(text, chars);
  for (size_t done = 0; done < out.size();) {
    ssize_t n = write(STDERR_FILENO, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace retrace::agent::test_runs
