#include "code_identity.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

using retrace::agent::CodeIdentity;

TEST(CodeIdentity, NormalizesLexically) {
  EXPECT_EQ(CodeIdentity::normalize("/work", "a/b"), "/work/a/b");
  EXPECT_EQ(CodeIdentity::normalize("/work", "./a/../b//c/"), "/work/b/c");
  EXPECT_EQ(CodeIdentity::normalize("/work", "/x/./y/.."), "/x");
  EXPECT_EQ(CodeIdentity::normalize("/", ".."), "/");
}

TEST(CodeIdentity, CodeRootsAreWholePathSegments) {
  CodeIdentity code;
  code.init("/home/u/app", "/usr/lib/jvm/jdk", "lib/app.jar:classes", "", "/opt/retrace/lib/libretrace.so");
  EXPECT_TRUE(code.isCode("/usr/lib/jvm/jdk/lib/modules"));
  EXPECT_TRUE(code.isCode("/home/u/app/lib/app.jar"));
  EXPECT_TRUE(code.isCode("classes/Main.class"));
  EXPECT_TRUE(code.isCode("/home/u/app/classes/../classes/pkg/X.class"));
  // Data next to classes is recorded: `java -cp . Main` reading ./input.txt.
  EXPECT_FALSE(code.isCode("/home/u/app/classes/x.properties"));
  EXPECT_FALSE(code.isCode("classes/input.txt"));
  EXPECT_FALSE(code.isCode("/usr/lib/jvm/jdk2/lib/modules"));
  EXPECT_FALSE(code.isCode("/home/u/app/classes2/data.txt"));
  EXPECT_FALSE(code.isCode("/home/u/app/input.txt"));
  EXPECT_FALSE(code.isCode("/dev/urandom"));
  EXPECT_FALSE(code.isCode(""));
  EXPECT_FALSE(code.isCode(nullptr));
}

TEST(CodeIdentity, FingerprintNoticesAChangedClasspathEntry) {
  char dir[] = "/tmp/retrace-code-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string classes = std::string(dir) + "/classes";
  ASSERT_EQ(system(("mkdir -p " + classes + "/pkg").c_str()), 0);
  std::ofstream(classes + "/pkg/A.class") << "one";
  CodeIdentity code;
  code.init(dir, "/nonexistent-jdk", "classes", "", std::string(dir) + "/agent.so");
  auto recorded = code.fingerprint();
  EXPECT_EQ(CodeIdentity::compare(recorded), "");
  std::ofstream(classes + "/data.txt") << "data is not code";
  EXPECT_EQ(CodeIdentity::compare(recorded), "");
  std::ofstream(classes + "/pkg/A.class") << "two";
  std::string change = CodeIdentity::compare(recorded);
  EXPECT_NE(change.find("the classpath entry " + classes + " changed since the recording"), std::string::npos)
      << change;
  std::ofstream(classes + "/pkg/A.class") << "one";
  EXPECT_EQ(CodeIdentity::compare(recorded), "");
  ASSERT_EQ(system(("rm -rf " + classes).c_str()), 0);
  change = CodeIdentity::compare(recorded);
  EXPECT_NE(change.find("is missing"), std::string::npos) << change;
  ASSERT_EQ(system((std::string("rm -rf ") + dir).c_str()), 0);
}

TEST(CodeIdentity, AFifoInTheClasspathIsNotWaitedFor) {
  // A recording names the classpath its replay checksums: a FIFO there (a .class file or the
  // entry itself) must not make the check wait for a writer forever.
  char dir[] = "/tmp/retrace-code-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string classes = std::string(dir) + "/classes";
  ASSERT_EQ(system(("mkdir -p " + classes + "/pkg").c_str()), 0);
  ASSERT_EQ(mkfifo((classes + "/pkg/A.class").c_str(), 0600), 0);
  ASSERT_EQ(mkfifo((std::string(dir) + "/app.jar").c_str(), 0600), 0);
  pid_t child = fork();
  if (child == 0) {
    alarm(10);  // a blocked open ends the child by SIGALRM: the test fails instead of hanging
    CodeIdentity code;
    code.init(dir, "/nonexistent-jdk", "classes:app.jar", "", std::string(dir) + "/agent.so");
    auto fingerprint = code.fingerprint();
    CodeIdentity::compare(fingerprint);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  ASSERT_EQ(system((std::string("rm -rf ") + dir).c_str()), 0);
}
