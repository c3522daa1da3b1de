#include "trust.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "retrace/tape/frame.h"

namespace retrace::launcher {
namespace {

std::optional<Refusal> check(std::vector<std::string> options, std::vector<std::string> checked = {}) {
  return firstUnsafeOption(options, "the recorded command line", checked, true);
}

TEST(Trust, TheOptionsEndAtTheMainClassOrJar) {
  EXPECT_EQ(jvmOptionsOf({"java", "-cp", "a.jar", "-Xmx1g", "demo.Main", "-XX:OnError=x"}),
            (std::vector<std::string>{"-cp", "a.jar", "-Xmx1g"}));
  EXPECT_EQ(jvmOptionsOf({"java", "-jar", "app.jar", "-Dx=1"}), (std::vector<std::string>{"-jar"}));
  EXPECT_EQ(jvmOptionsOf({"java", "@args.txt", "demo.Main"}), (std::vector<std::string>{"@args.txt"}));
  EXPECT_EQ(jvmOptionsOf({"java", "--module=app/demo.Main", "-XX:OnError=x"}),
            (std::vector<std::string>{"--module=app/demo.Main"}));
}

TEST(Trust, EverydayOptionsPass) {
  EXPECT_FALSE(
      check({"-cp", "a.jar:b.jar", "-Xmx512m", "-Xss2m", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-XX:-UsePerfData",
             "-Dfile.encoding=UTF-8", "-ea", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
             "--add-opens=java.base/java.io=ALL-UNNAMED", "-Xlog:gc", "-Xlog:gc*:stderr", "-verbose:class",
             "-XX:TieredStopAtLevel=1", "-agentpath:/opt/retrace/lib/libretrace.so=record,tape=x"}));
}

TEST(Trust, OptionsThatRunCommandsOrLoadCodeAreRefusedByName) {
  for (const char* option : {"-XX:OnError=touch /tmp/x",
                             "-XX:OnOutOfMemoryError=sh -c x",
                             "-XX:+UnlockDiagnosticVMOptions",
                             "-XX:+UnlockExperimentalVMOptions",
                             "-XX:AbortVMOnException=java.lang.Error",
                             "-XX:Flags=/tmp/flags",
                             "-XX:VMOptionsFile=/tmp/o",
                             "-XX:+HeapDumpOnOutOfMemoryError",
                             "-XX:HeapDumpPath=/tmp/h",
                             "-XX:ErrorFile=/home/me/.bashrc",
                             "-XX:StartFlightRecording=filename=/tmp/x.jfr",
                             "-agentpath:/tmp/evil.so",
                             "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                             "-javaagent:/tmp/evil.jar",
                             "-Xbootclasspath/a:/tmp/evil",
                             "@/tmp/args",
                             "-Xlog:gc:file=/home/me/.profile",
                             "-Xlog:all=trace:/tmp/x",
                             "-Djava.library.path=/tmp/libs",
                             "-splash:/tmp/x.png",
                             "--patch-module",
                             "-Xshare:dump",
                             "-XX:SharedArchiveFile=/tmp/a.jsa",
                             "-XX:CompileCommand=quiet",
                             "-Xunknown"}) {
    auto refusal = check({"-cp", "a.jar", option, "x"});
    ASSERT_TRUE(refusal.has_value()) << option;
    EXPECT_EQ(refusal->option, option);
    EXPECT_NE(refusalMessage(*refusal).find("--trust"), std::string::npos);
  }
}

TEST(Trust, AgentsAndBootEntriesWithRecordedChecksumsPass) {
  EXPECT_FALSE(check({"-javaagent:/repo/jacoco.jar=destfile=x"}, {"/repo/jacoco.jar"}));
  EXPECT_FALSE(check({"-Xbootclasspath/a:/repo/a.jar:/repo/b.jar"}, {"/repo/a.jar", "/repo/b.jar"}));
  EXPECT_TRUE(check({"-Xbootclasspath/a:/repo/a.jar:/tmp/b.jar"}, {"/repo/a.jar"}).has_value());
}

TEST(Trust, TheRecordedEnvironmentIsCheckedToo) {
  tape::ProcessStartInfo start;
  start.argv = {"/jdk/bin/java", "-cp", "app.jar", "demo.Main", "-XX:OnError=is-a-program-argument"};
  start.cwd = "/work";
  EXPECT_FALSE(checkRecordedOptions(start).has_value());
  start.env = {"HOME=/root", "JAVA_TOOL_OPTIONS=-Xss2m '-XX:OnError=touch /tmp/marker'"};
  auto refusal = checkRecordedOptions(start);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->option, "-XX:OnError=touch /tmp/marker");
  EXPECT_EQ(refusal->where, "the recorded JAVA_TOOL_OPTIONS");
  start.env = {"JDK_JAVA_OPTIONS=-agentpath:/tmp/x.so"};
  ASSERT_TRUE(checkRecordedOptions(start).has_value());
  start.env = {"_JAVA_OPTIONS=-agentpath:/tmp/evil/libretrace.so"};  // named like Retrace's, not replaced there
  ASSERT_TRUE(checkRecordedOptions(start).has_value());
  start.env = {"JAVA_TOOL_OPTIONS=-agentpath:/ci/libretrace.so=record"};  // replaced by the replay's
  EXPECT_FALSE(checkRecordedOptions(start).has_value());
  start.env = {"_JAVA_OPTIONS=-javaagent:lib/agent.jar"};
  start.code = {{"/work/lib/agent.jar", tape::CodeRole::kClasspath, 1, 2}};
  EXPECT_FALSE(checkRecordedOptions(start).has_value());  // relative to the recorded directory, and checked
}

class TrustFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/trust_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  void write(const std::string& relative, const std::string& content) {
    std::system(("mkdir -p $(dirname " + dir_ + "/" + relative + ")").c_str());
    std::ofstream(dir_ + "/" + relative, std::ios::binary) << content;
  }
  tape::CodeEntry entry(const std::string& path, const std::string& content) {
    return {path, tape::CodeRole::kJavaHome, tape::crc32c(0, content.data(), content.size()), content.size()};
  }
  std::string dir_;
};

TEST_F(TrustFiles, TheJdkIsTheInstalledOneThatIsTheRecordedBuild) {
  write("other/release", "JAVA_VERSION=\"17\"\n");
  write("other/lib/server/libjvm.so", "jvm 17");
  write("same/release", "JAVA_VERSION=\"25\"\n");
  write("same/lib/server/libjvm.so", "jvm 25");
  tape::ProcessStartInfo start;
  start.javaHome = "/where/it/was/recorded";
  start.jvmVersion = "Test VM 25";
  start.code = {entry(start.javaHome + "/release", "JAVA_VERSION=\"25\"\n"),
                entry(start.javaHome + "/lib/server/libjvm.so", "jvm 25")};
  std::string why;
  EXPECT_EQ(findRecordedJdk(start, {dir_ + "/other", dir_ + "/same"}, why), dir_ + "/same");
  EXPECT_EQ(findRecordedJdk(start, {dir_ + "/other"}, why), "");
  EXPECT_NE(why.find("--java"), std::string::npos);
  EXPECT_NE(why.find("Test VM 25"), std::string::npos);
  start.code.clear();
  EXPECT_EQ(findRecordedJdk(start, {dir_ + "/same"}, why), "");
}

TEST_F(TrustFiles, AnotherBuildOfTheFeatureReleaseIsFoundForAnyBuild) {
  write("jdk21/release", "JAVA_VERSION=\"21.0.2\"\nJAVA_RUNTIME_VERSION=\"21.0.2+13\"\n");
  write("jdk17b/release", "IMPLEMENTOR=\"X\"\nJAVA_VERSION=\"17.0.99\"\nJAVA_RUNTIME_VERSION=\"17.0.99+1-X\"\n");
  write("jdk17nojava/release", "JAVA_VERSION=\"17.0.1\"\n");
  for (const char* home : {"jdk21", "jdk17b"}) {
    write(std::string(home) + "/bin/java", "#!/bin/sh\n");
    std::system(("chmod +x " + dir_ + "/" + home + "/bin/java").c_str());
  }
  tape::ProcessStartInfo start;
  start.jvmVersion = "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1";
  auto other = findOtherBuild(start, {dir_ + "/jdk21", dir_ + "/jdk17nojava", dir_ + "/jdk17b"});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->home, dir_ + "/jdk17b");
  EXPECT_EQ(other->version, "17.0.99+1-X");
  start.jvmVersion = "OpenJDK 64-Bit Server VM 25.0.3+9-LTS";
  EXPECT_FALSE(findOtherBuild(start, {dir_ + "/jdk21", dir_ + "/jdk17b"}));
  EXPECT_EQ(featureRelease("17.0.15"), "17");
  EXPECT_EQ(featureRelease("Test VM 25+36"), "25");
  EXPECT_EQ(featureRelease("Test VM"), "");
}

TEST_F(TrustFiles, CandidatesComeFromTheMachineNotTheRecording) {
  write("a/bin/java", "");
  write("b/bin/java", "");
  std::vector<std::string> env = {"RETRACE_JDKS=" + dir_ + "/a:" + dir_ + "/b", "JAVA_HOME=" + dir_ + "/a"};
  std::vector<std::string> candidates = jdkCandidates("", env);
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], dir_ + "/a");
  EXPECT_EQ(candidates[1], dir_ + "/b");
  EXPECT_EQ(std::count(candidates.begin(), candidates.end(), dir_ + "/a"), 1);
  EXPECT_EQ(jdkCandidates(dir_ + "/b/bin/java", env), (std::vector<std::string>{dir_ + "/b"}));
}

TEST_F(TrustFiles, ARecordingIsNotCode) {
  write("run.retrace", "#!/opt/retrace/bin/retrace-replay --recording\nRTF1...");
  write("copy.jar", "#!/usr/bin/env -S retrace-replay --recording\nRTF1...");
  write("app.jar", "PK\x03\x04");
  EXPECT_TRUE(isRecordingFile(dir_ + "/run.retrace", dir_ + "/run.retrace"));
  EXPECT_TRUE(isRecordingFile(dir_ + "/copy.jar", dir_ + "/run.retrace"));
  EXPECT_FALSE(isRecordingFile(dir_ + "/app.jar", dir_ + "/run.retrace"));
}

}  // namespace
}  // namespace retrace::launcher
