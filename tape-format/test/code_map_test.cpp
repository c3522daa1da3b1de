#include "retrace/tape/code_map.h"

#include <gtest/gtest.h>

namespace retrace::tape {
namespace {

CodeMap mapOf(const std::string& text) {
  std::string error;
  std::optional<CodeMap> map = CodeMap::parse(text, error);
  EXPECT_TRUE(map) << error;
  return map ? *map : CodeMap();
}

TEST(CodeMap, FilesMapAsThemselvesAndDirectoriesWithEverythingBelow) {
  CodeMap map = mapOf(
      "/ci/work/target/classes\t/cache/trees/ab12\n"
      "/ci/m2/junit.jar\t/cache/objects/cd34\n");
  EXPECT_EQ(map.local("/ci/m2/junit.jar"), "/cache/objects/cd34");
  EXPECT_EQ(map.local("/ci/work/target/classes"), "/cache/trees/ab12");
  EXPECT_EQ(map.local("/ci/work/target/classes/demo/A.class"), "/cache/trees/ab12/demo/A.class");
  EXPECT_EQ(map.local("/ci/work/target/classes-other/A.class"), "");  // a sibling, not below
  EXPECT_EQ(map.local("/ci/m2/junit.jar.sha1"), "");
  EXPECT_EQ(map.local("/elsewhere/x.jar"), "");
  EXPECT_EQ(map.recorded("/cache/trees/ab12/demo/A.class"), "/ci/work/target/classes/demo/A.class");
  EXPECT_EQ(map.recorded("/cache/objects/cd34"), "/ci/m2/junit.jar");
  EXPECT_EQ(map.recorded("/cache/objects/cd345"), "");
}

TEST(CodeMap, TheLongestRecordedPathWins) {
  CodeMap map = mapOf("/ci/work\t/cache/trees/1\n/ci/work/lib/a.jar\t/cache/objects/2\n");
  EXPECT_EQ(map.local("/ci/work/lib/a.jar"), "/cache/objects/2");
  EXPECT_EQ(map.local("/ci/work/lib/b.jar"), "/cache/trees/1/lib/b.jar");
}

TEST(CodeMap, ALineThatIsNotTwoAbsolutePathsIsRefusedNamingIt) {
  for (const char* text : {"/a\n/b\n", "relative\t/b\n", "/a\trelative\n", "/a\t/b\t/c\n", "\t/b\n"}) {
    std::string error;
    EXPECT_FALSE(CodeMap::parse(std::string("/ok\t/fine\n") + text, error)) << text;
    EXPECT_EQ(error.rfind("line 2 ", 0), 0u) << error;
  }
  std::string error;
  EXPECT_FALSE(CodeMap::load("/nonexistent/map.tsv", error));
  EXPECT_EQ(error, "cannot read the code map /nonexistent/map.tsv");
}

}  // namespace
}  // namespace retrace::tape
