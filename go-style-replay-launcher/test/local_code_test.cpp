#include "local_code.h"

#include <gtest/gtest.h>

namespace retrace::launcher {
namespace {

tape::CodeMap mapOf(const std::string& text) {
  std::string error;
  auto map = tape::CodeMap::parse(text, error);
  EXPECT_TRUE(map) << error;
  return map ? *map : tape::CodeMap();
}

using Args = std::vector<std::string>;

TEST(LocalCode, TheJarTheJavaLauncherOpensIsTheLocalCopy) {
  auto map = mapOf("/ci/app/app.jar\t/cache/objects/aa\n");
  EXPECT_EQ(withLocalCode({"java", "-Xmx1g", "-jar", "app.jar", "app.jar"}, "/ci/app", map),
            (Args{"java", "-Xmx1g", "-jar", "/cache/objects/aa", "app.jar"}));  // the program's own args stay
  EXPECT_EQ(withLocalCode({"java", "-jar", "/ci/app/app.jar"}, "/elsewhere", map),
            (Args{"java", "-jar", "/cache/objects/aa"}));
}

TEST(LocalCode, JavaAgentsAndTheBootClassPathAppendAreLocalTheClassPathIsNot) {
  auto map = mapOf("/ci/m2/jacoco.jar\t/cache/objects/bb\n/ci/lib\t/cache/trees/cc\n");
  EXPECT_EQ(withLocalCode(
                {"java", "-javaagent:/ci/m2/jacoco.jar=destfile=x.exec", "-Xbootclasspath/a:lib/a.jar::/other/b.jar",
                 "-cp", "/ci/lib/c.jar", "Main", "-javaagent:/ci/m2/jacoco.jar"},
                "/ci", map),
            (Args{"java", "-javaagent:/cache/objects/bb=destfile=x.exec",
                  "-Xbootclasspath/a:/cache/trees/cc/a.jar::/other/b.jar", "-cp", "/ci/lib/c.jar", "Main",
                  "-javaagent:/ci/m2/jacoco.jar"}));
}

TEST(LocalCode, NothingMappedNothingChanged) {
  Args argv{"java", "-javaagent:agent.jar", "-cp", "x", "Main"};
  EXPECT_EQ(withLocalCode(argv, "/ci", mapOf("")), argv);
}

}  // namespace
}  // namespace retrace::launcher
