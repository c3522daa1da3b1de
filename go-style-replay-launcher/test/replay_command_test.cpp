#include "replay_command.h"

#include <gtest/gtest.h>

namespace retrace::launcher {
namespace {

using Strings = std::vector<std::string>;

const char kReplayAgent[] = "-agentpath:/dist/lib/libretrace.so=replay,tape=/r/run.retrace,pid=7";

TEST(AgentArgument, RecognisesRetraceAgentForms) {
  EXPECT_TRUE(isRetraceAgentArgument("-agentpath:/opt/retrace/lib/libretrace.so=record,tape=x.retrace"));
  EXPECT_TRUE(isRetraceAgentArgument("-agentpath:libretrace.so"));
  EXPECT_TRUE(isRetraceAgentArgument("-agentlib:retrace=record"));
  EXPECT_TRUE(isRetraceAgentArgument("-agentlib:retrace"));
}

TEST(AgentArgument, LeavesOtherAgentsAlone) {
  // The JVM splits at the first '=': this loads "/a" with options "b/libretrace.so".
  EXPECT_FALSE(isRetraceAgentArgument("-agentpath:/a=b/libretrace.so"));
  EXPECT_FALSE(isRetraceAgentArgument("-agentpath:/opt/async-profiler/lib/libasyncProfiler.so=start"));
  EXPECT_FALSE(isRetraceAgentArgument("-agentpath:/opt/libretrace.so.bak"));
  EXPECT_FALSE(isRetraceAgentArgument("-agentlib:jdwp=transport=dt_socket"));
  EXPECT_FALSE(isRetraceAgentArgument("-agentlib:retracex"));
  EXPECT_FALSE(isRetraceAgentArgument("-javaagent:retrace.jar"));
  EXPECT_FALSE(isRetraceAgentArgument("-Dx=-agentpath:/libretrace.so"));
}

TEST(AgentArgument, ReplayOptions) {
  ReplayRequest request;
  request.agentPath = "/dist/lib/libretrace.so";
  request.recordingPath = "/r/run.retrace";
  request.pid = 7;
  EXPECT_EQ(replayAgentArgument(request), kReplayAgent);
  request.verbose = true;
  EXPECT_EQ(replayAgentArgument(request), std::string(kReplayAgent) + ",verbose");
  request.checkStacks = true;
  EXPECT_EQ(replayAgentArgument(request), std::string(kReplayAgent) + ",check_stacks,verbose");
  request.debugAddress = "127.0.0.1:5005";
  EXPECT_EQ(replayAgentArgument(request), std::string(kReplayAgent) + ",check_stacks,debug,verbose");
}

TEST(DebugAddress, APortAloneListensOnLoopback) {
  std::string address, error;
  ASSERT_TRUE(debugAddress("5005", address, error)) << error;
  EXPECT_EQ(address, "127.0.0.1:5005");
  ASSERT_TRUE(debugAddress("localhost:8000", address, error)) << error;
  EXPECT_EQ(address, "localhost:8000");
  for (const char* bad : {"", "0", "65536", "50x", ":5005", "a,b:5005", "host:"}) {
    EXPECT_FALSE(debugAddress(bad, address, error)) << bad;
    EXPECT_EQ(error, std::string("--debug needs PORT or HOST:PORT (a port from 1 to 65535), not '") + bad + "'");
  }
  EXPECT_EQ(debuggerAgentArgument("127.0.0.1:5005"),
            "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,quiet=y,address=127.0.0.1:5005");
}

TEST(ReplayArguments, ReplacesTheRecordingAgentInPlace) {
  Strings recorded{"java", "-Xmx1g",  "-agentpath:/old/libretrace.so=record,tape=x.retrace,stacktraces",
                   "-jar", "app.jar", "--port",
                   "0"};
  EXPECT_EQ(replayArguments(recorded, "/jdk/bin/java", kReplayAgent),
            (Strings{"/jdk/bin/java", "-Xmx1g", kReplayAgent, "-XX:-UsePerfData", "-jar", "app.jar", "--port", "0"}));
}

TEST(ReplayArguments, InsertsTheAgentWhenItCameFromTheEnvironment) {
  Strings recorded{"/usr/bin/java", "-cp", "app.jar", "demo.Main"};
  EXPECT_EQ(replayArguments(recorded, "/jdk/bin/java", kReplayAgent),
            (Strings{"/jdk/bin/java", kReplayAgent, "-XX:-UsePerfData", "-cp", "app.jar", "demo.Main"}));
}

TEST(ReplayArguments, KeepsOneAgentAndProgramArgumentsThatLookLikeIt) {
  Strings recorded{"java", "-agentlib:retrace=record", "-agentpath:/x/libretrace.so=record", "Main",
                   "-agentpath:/y/libretrace.so"};
  // The last one is after the main class, but replay cannot know where JVM options end for
  // every launcher form; the agent is replaced once and duplicates are dropped.
  Strings replayed = replayArguments(recorded, "/jdk/bin/java", kReplayAgent);
  EXPECT_EQ(replayed, (Strings{"/jdk/bin/java", kReplayAgent, "-XX:-UsePerfData", "Main"}));
}

TEST(ReplayArguments, EmptyRecordedArgv) {
  EXPECT_EQ(replayArguments({}, "/jdk/bin/java", kReplayAgent),
            (Strings{"/jdk/bin/java", kReplayAgent, "-XX:-UsePerfData"}));
}

TEST(JavaToolOptions, RemovesOnlyTheRetraceAgent) {
  EXPECT_EQ(withoutRetraceAgent("-agentpath:/d/lib/libretrace.so=record,tape=/t/a.retrace"), "");
  EXPECT_EQ(withoutRetraceAgent("-Xmx1g  -agentpath:/d/lib/libretrace.so=record -Dfile.encoding=UTF-8"),
            "-Xmx1g -Dfile.encoding=UTF-8");
  EXPECT_EQ(withoutRetraceAgent("-agentlib:retrace=record -agentlib:jdwp=transport=dt_socket"),
            "-agentlib:jdwp=transport=dt_socket");
}

TEST(JavaToolOptions, KeepsQuotedTokensAsWritten) {
  EXPECT_EQ(withoutRetraceAgent("'-Dname=a b' \"-agentpath:/my dir/libretrace.so=record\" -Dx=1"),
            "'-Dname=a b' -Dx=1");
}

TEST(Environment, TakesJvmOptionVariablesFromTheRecording) {
  Strings current{"HOME=/home/me", "JAVA_TOOL_OPTIONS=-Dnow=1", "_JAVA_OPTIONS=-Dnow=2", "PATH=/bin"};
  Strings recorded{"HOME=/home/ci", "JDK_JAVA_OPTIONS=--enable-preview",
                   "JAVA_TOOL_OPTIONS=-Xss2m -agentpath:/ci/libretrace.so=record,tape=/ci/t.retrace"};
  EXPECT_EQ(replayEnvironment(current, recorded),
            (Strings{"HOME=/home/me", "PATH=/bin", "JAVA_TOOL_OPTIONS=-Xss2m", "JDK_JAVA_OPTIONS=--enable-preview"}));
}

TEST(Environment, TakesTheClasspathFromTheRecording) {
  Strings current{"CLASSPATH=/home/me/other.jar", "PATH=/bin"};
  EXPECT_EQ(replayEnvironment(current, Strings{"CLASSPATH=/ci/target/test-classes:/ci/junit.jar"}),
            (Strings{"PATH=/bin", "CLASSPATH=/ci/target/test-classes:/ci/junit.jar"}));
  EXPECT_EQ(replayEnvironment(current, Strings{"PATH=/usr/bin"}), Strings{"PATH=/bin"});
}

TEST(Environment, UnsetsAVariableThatHeldOnlyTheAgent) {
  Strings current{"JAVA_TOOL_OPTIONS=-Dnow=1"};
  Strings recorded{"JAVA_TOOL_OPTIONS=-agentpath:/ci/libretrace.so=record"};
  EXPECT_EQ(replayEnvironment(current, recorded), Strings{});
}

TEST(Environment, DoesNotConfuseVariablesWithACommonPrefix) {
  Strings current{"JAVA_TOOL_OPTIONS_X=1"};
  Strings recorded{"JAVA_TOOL_OPTIONS_Y=2", "_JAVA_OPTIONS=-Da=b=c"};
  EXPECT_EQ(replayEnvironment(current, recorded), (Strings{"JAVA_TOOL_OPTIONS_X=1", "_JAVA_OPTIONS=-Da=b=c"}));
}

TEST(Command, BuildsEverythingFromTheProcessStart) {
  tape::ProcessStartInfo start;
  start.pid = 7;
  start.argv = {"java", "-agentpath:/ci/libretrace.so=record,tape=t.retrace", "-jar", "app.jar"};
  start.javaHome = "/usr/lib/jvm/temurin-25-jdk-amd64/";
  start.cwd = "/work/app";
  start.env = {"JAVA_TOOL_OPTIONS=-Dci=1"};
  ReplayRequest request;
  request.agentPath = "/dist/lib/libretrace.so";
  request.recordingPath = "/r/run.retrace";
  request.pid = 7;
  request.verbose = true;
  ReplayCommand command = buildReplayCommand(start, request, {"TERM=xterm"});
  EXPECT_EQ(command.program, "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
  EXPECT_EQ(command.argv,
            (Strings{command.program, std::string(kReplayAgent) + ",verbose", "-XX:-UsePerfData", "-jar", "app.jar"}));
  EXPECT_EQ(command.env, (Strings{"TERM=xterm", "JAVA_TOOL_OPTIONS=-Dci=1"}));
  EXPECT_EQ(command.cwd, "/work/app");
  EXPECT_EQ(
      shellLine(command, {"TERM=xterm", "_JAVA_OPTIONS=-Dx"}),
      "cd /work/app && env -u _JAVA_OPTIONS JAVA_TOOL_OPTIONS=-Dci=1 "
      "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java "
      "-agentpath:/dist/lib/libretrace.so=replay,tape=/r/run.retrace,pid=7,verbose -XX:-UsePerfData -jar app.jar");
}

TEST(Command, ShellLineQuotesWhatNeedsIt) {
  ReplayCommand command{"/j/bin/java", {"/j/bin/java", "-Dmsg=it's here", "Main"}, {}, "/my dir"};
  EXPECT_EQ(shellLine(command, {}), "cd '/my dir' && /j/bin/java '-Dmsg=it'\\''s here' Main");
}

TEST(Paths, Normalize) {
  EXPECT_EQ(normalizePath("/a/b/../lib/libretrace.so"), "/a/lib/libretrace.so");
  EXPECT_EQ(normalizePath("/a/./b//c/"), "/a/b/c");
  EXPECT_EQ(normalizePath("/../x"), "/x");
  EXPECT_EQ(normalizePath("../x/../../y"), "../../y");
  EXPECT_EQ(normalizePath(""), ".");
}

}  // namespace
}  // namespace retrace::launcher
