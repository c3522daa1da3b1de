#include "divergence_hint.h"

#include <gtest/gtest.h>

#include "code_identity.h"
#include "stacks.h"

using retrace::agent::CodeIdentity;
using retrace::agent::Divergence;
using retrace::agent::JavaStack;
using retrace::agent::stacksSideBySide;
using retrace::agent::usualCause;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const JavaStack kTestCode = {{"org.example.Registry.register(Registry.java)", 40},
                             {"org.example.RegistryTest.registers(RegistryTest.java)", 12}};

}  // namespace

TEST(UsualCause, HashAtAnotherMomentPointsAtGarbageCollection) {
  Divergence d{
      "java.lang.Object.hashCode()I", "java.lang.System.identityHashCode(Ljava/lang/Object;)I", "", kTestCode, {}};
  std::string cause = usualCause(d);
  EXPECT_TRUE(has(cause, "usual cause: an object got its identity hash at another moment")) << cause;
  EXPECT_TRUE(has(cause, "see docs/troubleshooting.md#garbage-collection")) << cause;
}

TEST(UsualCause, HashDivergenceNamesWhatTheCollectorCleared) {
  Divergence d{"java.lang.Object.hashCode()I", "java.lang.System.nanoTime()J", "", kTestCode, {}};
  d.recordedClears = {true, 1500, 12, 3, 0};
  d.replayedClears = {true, 900, 0, 0, 0};
  std::string cause = usualCause(d);
  EXPECT_TRUE(has(cause, "record with --keep-references")) << cause;
  EXPECT_TRUE(has(cause, "cleared: 1512 in the recorded run, 900 in this replay so far")) << cause;
}

TEST(UsualCause, HashDivergenceWithNoWeakOrSoftClearedIsNotThroughThem) {
  Divergence d{"java.lang.Object.hashCode()I", "java.lang.System.nanoTime()J", "", kTestCode, {}};
  d.recordedClears = {true, 0, 0, 7, 2};  // phantom references and finalizers: no get() to read
  d.replayedClears = {true, 0, 0, 1, 0};
  std::string cause = usualCause(d);
  EXPECT_TRUE(has(cause, "not through a weak or soft reference")) << cause;
  EXPECT_FALSE(has(cause, "--keep-references")) << cause;
  EXPECT_TRUE(has(cause, "see docs/troubleshooting.md#replay-diverged")) << cause;
}

TEST(UsualCause, AnOlderRecordingsUncountedClearsAreUnknown) {
  Divergence d{"java.lang.Object.hashCode()I", "java.lang.System.nanoTime()J", "", kTestCode, {}};
  d.replayedClears = {true, 0, 0, 0, 0};
  std::string cause = usualCause(d);
  EXPECT_TRUE(has(cause, "unknown in the recorded run, 0 in this replay so far")) << cause;
}

TEST(UsualCause, AHashThatCouldNotBeSetIsNotAboutGarbageCollection) {
  Divergence d{"identity hash 279963418",
               "identity hash 1491676195",
               "the identity hash of an org.acme.Context could not be set to the recorded one",
               kTestCode,
               {}};
  std::string cause = usualCause(d);
  EXPECT_TRUE(has(cause, "locked by another thread")) << cause;
  EXPECT_TRUE(has(cause, "see docs/limitations.md#identity-hash-codes")) << cause;
}

TEST(UsualCause, ClassLoadingOnEitherStackWins) {
  JavaStack loading = {{"java.lang.System.nanoTime(System.java)", -1},
                       {"com.acme.PluginLoader.loadClass(PluginLoader.java)", 88}};
  Divergence d{"java.lang.System.nanoTime()J", "java.lang.Object.hashCode()I", "", kTestCode, loading};
  EXPECT_TRUE(has(usualCause(d), "docs/troubleshooting.md#class-loading")) << usualCause(d);
}

TEST(UsualCause, OutputThatDiffersAndAThreadThatGoesOn) {
  Divergence output{"java.io.FileOutputStream.writeBytes([BIIZ)V writing 17 bytes",
                    "java.io.FileOutputStream.writeBytes([BIIZ)V writing 17 bytes",
                    "the bytes written differ first at offset 11",
                    kTestCode,
                    {}};
  EXPECT_TRUE(has(usualCause(output), "computed other output")) << usualCause(output);
  Divergence ended{"no more events: the recorded thread ended its boundary calls here",
                   "java.lang.System.nanoTime()J",
                   "",
                   kTestCode,
                   {}};
  EXPECT_TRUE(has(usualCause(ended), "a signal ended the recorded run")) << usualCause(ended);
  Divergence other{"java.io.FileInputStream.readBytes([BII)I", "java.lang.System.nanoTime()J", "", kTestCode, {}};
  EXPECT_EQ(usualCause(other), "");
}

TEST(StacksSideBySide, PartsBesideEachOtherThenTheSharedFramesOnce) {
  JavaStack now = {{"java.lang.Object.hashCode(Object.java)", -1},
                   {"java.util.WeakHashMap.put(WeakHashMap.java)", 455},
                   {"org.example.Cache.put(Cache.java)", 9},
                   {"org.example.Main.main(Main.java)", 3}};
  // Cut one frame shorter at its outer end, as a recorded stack at another depth can be.
  JavaStack then = {{"java.lang.System.nanoTime(System.java)", -1}, {"org.example.Cache.put(Cache.java)", 9}};
  std::string out = stacksSideBySide(now, then, "  ", 50);
  EXPECT_TRUE(
      has(out, "  at java.lang.Object.hashCode(Object.java)          | at java.lang.System.nanoTime(System.java)\n"))
      << out;
  EXPECT_TRUE(has(out, "  at java.util.WeakHashMap.put(WeakHashMap.java:455) | \n")) << out;
  EXPECT_TRUE(has(
      out, "both from here on:\n  at org.example.Cache.put(Cache.java:9)\n  at org.example.Main.main(Main.java:3)\n"))
      << out;
  EXPECT_FALSE(has(out, "| at org.example.Cache.put")) << out;
}

TEST(StacksSideBySide, NothingSharedShowsBothWhole) {
  JavaStack now = {{"a.A.f(A.java)", 1}};
  JavaStack then = {{"b.B.g(B.java)", 2}};
  std::string out = stacksSideBySide(now, then, "", 20);
  EXPECT_TRUE(has(out, "at a.A.f(A.java:1)   | at b.B.g(B.java:2)\n")) << out;
  EXPECT_FALSE(has(out, "both from here on")) << out;
}

TEST(CodeIdentity, LooksLikeCodeByItsSuffix) {
  EXPECT_TRUE(CodeIdentity::looksLikeCode("/home/u/.m2/x/x-1.0-tests.jar"));
  EXPECT_TRUE(CodeIdentity::looksLikeCode("lib/X.JAR"));
  EXPECT_TRUE(CodeIdentity::looksLikeCode("classes/pkg/A.class"));
  EXPECT_TRUE(CodeIdentity::looksLikeCode("bundle.zip"));
  EXPECT_FALSE(CodeIdentity::looksLikeCode("input.txt"));
  EXPECT_FALSE(CodeIdentity::looksLikeCode(".jar"));
  EXPECT_FALSE(CodeIdentity::looksLikeCode("/data/jar"));
}

TEST(WithoutAddresses, AHiddenClassIsNamedAlikeInTwoRuns) {
  using retrace::agent::withoutAddresses;
  EXPECT_EQ(withoutAddresses("Ljava/util/zip/ZipFile$Source$$Lambda.0x000000003307f578;"),
            withoutAddresses("Ljava/util/zip/ZipFile$Source$$Lambda.0x00000000be21c000;"));
  EXPECT_EQ(withoutAddresses("Foo$$Lambda$14/0x0000000800c0b000.run"), "Foo$$Lambda$14/0x*.run");
  EXPECT_NE(withoutAddresses("Foo$$Lambda$14/0x0000000800c0b000"),
            withoutAddresses("Foo$$Lambda$15/0x0000000800c0b000"));
  EXPECT_EQ(withoutAddresses("org.example.Registry.register(Registry.java)"),
            "org.example.Registry.register(Registry.java)");
  EXPECT_EQ(withoutAddresses("a0x"), "a0x");
}

TEST(SameFrames, ComparesLinesAndNamesAsDeepAsBothGo) {
  using retrace::agent::sameFrames;
  JavaStack recorded = {{"java.lang.System.nanoTime(System.java)", -1},
                        {"Foo$$Lambda.0x0000000800c0b000.run()", -1},
                        {"Foo.main(Foo.java)", 12}};
  JavaStack now = {{"java.lang.System.nanoTime(System.java)", -1}, {"Foo$$Lambda.0x00000000be21c000.run()", -1}};
  EXPECT_TRUE(sameFrames(recorded, now));
  now.emplace_back("Foo.main(Foo.java)", 13);
  EXPECT_FALSE(sameFrames(recorded, now));
  now.back() = {"Foo.other(Foo.java)", 12};
  EXPECT_FALSE(sameFrames(recorded, now));
}
