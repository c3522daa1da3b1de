#include "redaction.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "options.h"

using retrace::agent::effectiveRedactPatterns;
using retrace::agent::Options;
using retrace::agent::parseOptions;
using retrace::agent::Redaction;

namespace {

const std::string kP = Redaction::kPlaceholder;

Redaction defaults() {
  return Redaction(Redaction::defaultPatterns());
}

}  // namespace

TEST(Redaction, GlobIsCaseInsensitiveAndAnchored) {
  EXPECT_TRUE(Redaction::globMatch("*TOKEN*", "GITHUB_TOKEN"));
  EXPECT_TRUE(Redaction::globMatch("*TOKEN*", "my.token.file"));
  EXPECT_TRUE(Redaction::globMatch("*token*", "AWS_SESSION_TOKEN"));
  EXPECT_TRUE(Redaction::globMatch("DB_?ASS", "db_pass"));
  EXPECT_TRUE(Redaction::globMatch("*", ""));
  EXPECT_FALSE(Redaction::globMatch("TOKEN", "GITHUB_TOKEN"));
  EXPECT_FALSE(Redaction::globMatch("TOKEN*", "GITHUB_TOKEN"));
  EXPECT_FALSE(Redaction::globMatch("*TOKEN", "TOKENS"));
  EXPECT_FALSE(Redaction::globMatch("DB_?ASS", "DB_PASSWORD"));
  EXPECT_TRUE(Redaction::globMatch("a*b*c", "aXXbYYbZZc"));
  EXPECT_FALSE(Redaction::globMatch("a*b*c", "aXXbYYbZZ"));
  // A long name against many stars must answer at once (no exponential backtracking).
  EXPECT_FALSE(Redaction::globMatch("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST(Redaction, DefaultsCoverTheWellKnownNamesAndNotTheOrdinaryOnes) {
  Redaction r = defaults();
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "password", "db.password",
                           "javax.net.ssl.keyStorePassword", "STRIPE_API_KEY", "OPENAI_APIKEY", "CLIENT_SECRET",
                           "SSH_PRIVATE_KEY", "NPM_TOKEN", "LDAP_PASSWD"}) {
    EXPECT_TRUE(r.matches(name)) << name;
  }
  for (const char* name : {"PATH", "HOME", "PWD", "OLDPWD", "AWS_ACCESS_KEY_ID", "JAVA_TOOL_OPTIONS", "user.home",
                           "java.class.path", "LANG", "RETRACE_RECORDING"}) {
    EXPECT_FALSE(r.matches(name)) << name;
  }
}

TEST(Redaction, SplitAndJoin) {
  EXPECT_EQ(Redaction::split("A:*B*::C"), (std::vector<std::string>{"A", "*B*", "C"}));
  EXPECT_TRUE(Redaction::split("").empty());
  EXPECT_EQ(Redaction({"A", "*B*"}).joined(), "A:*B*");
}

TEST(Redaction, ArgumentsAndEnvironmentEntries) {
  Redaction r = defaults();
  EXPECT_EQ(r.argument("-Dpassword=hunter2"), "-Dpassword=" + kP);
  EXPECT_EQ(r.argument("-Ddb.Password=a=b"), "-Ddb.Password=" + kP);
  EXPECT_EQ(r.argument("-Dpassword="), "-Dpassword=");  // nothing to hide
  EXPECT_EQ(r.argument("-Dpassword"), "-Dpassword");
  EXPECT_EQ(r.argument("-Duser=me"), "-Duser=me");
  EXPECT_EQ(r.argument("-Xmx1g"), "-Xmx1g");

  bool changed = false;
  EXPECT_EQ(r.environmentEntry("AWS_SECRET_ACCESS_KEY=wJalr/K7MDENG", changed), "AWS_SECRET_ACCESS_KEY=" + kP);
  EXPECT_TRUE(changed);
  EXPECT_EQ(r.environmentEntry("GITHUB_TOKEN=", changed), "GITHUB_TOKEN=");
  EXPECT_FALSE(changed);
  EXPECT_EQ(r.environmentEntry("PATH=/usr/bin", changed), "PATH=/usr/bin");
  EXPECT_FALSE(changed);
  EXPECT_EQ(r.environmentEntry("JAVA_TOOL_OPTIONS=-Xmx1g -Dapi.token=abc  -Dok=1", changed),
            "JAVA_TOOL_OPTIONS=-Xmx1g -Dapi.token=" + kP + "  -Dok=1");
  EXPECT_TRUE(changed);
  EXPECT_EQ(r.environmentEntry("MAVEN_OPTS=\"-Dsecret=a b\" -Dpassword='x y' -Dx=1", changed),
            "MAVEN_OPTS=\"-Dsecret=" + kP + "\" -Dpassword=" + kP + " -Dx=1");
}

TEST(Redaction, CommandLineStopsAtTheProgramsArguments) {
  Redaction r = defaults();
  std::vector<std::string> argv = {"/usr/bin/java", "-Dpassword=s1", "-cp",       "-Dtoken=notAnOption",
                                   "-Dx=1",         "-Dapi_key=s2",  "demo.Main", "-Dpassword=programArg"};
  std::vector<std::string> want = {"/usr/bin/java", "-Dpassword=" + kP, "-cp",       "-Dtoken=notAnOption",
                                   "-Dx=1",         "-Dapi_key=" + kP,  "demo.Main", "-Dpassword=programArg"};
  EXPECT_EQ(r.commandLine(argv), want);
  EXPECT_EQ(r.commandLine({"java", "-jar", "app.jar", "-Dsecret=arg"}),
            (std::vector<std::string>{"java", "-jar", "app.jar", "-Dsecret=arg"}));
  EXPECT_EQ(r.commandLine({"java", "--class-path=x", "-Dsecret=v", "Main"}),
            (std::vector<std::string>{"java", "--class-path=x", "-Dsecret=" + kP, "Main"}));
}

TEST(Redaction, ApplyToEnvironmentChangesTheProcessEnvironment) {
  setenv("RETRACE_TEST_SECRET", "s3cr3t", 1);
  setenv("RETRACE_TEST_PLAIN", "plain", 1);
  EXPECT_GE(defaults().applyToEnvironment(), 1);
  EXPECT_EQ(std::string(getenv("RETRACE_TEST_SECRET")), kP);
  EXPECT_EQ(std::string(getenv("RETRACE_TEST_PLAIN")), "plain");
  unsetenv("RETRACE_TEST_SECRET");
  unsetenv("RETRACE_TEST_PLAIN");
}

TEST(Redaction, Options) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record,redact=DB_PASS:*CERT*,redact=X", o, error)) << error;
  EXPECT_EQ(o.redactPatterns, (std::vector<std::string>{"DB_PASS", "*CERT*", "X"}));
  EXPECT_TRUE(o.defaultRedact);
  std::vector<std::string> effective = effectiveRedactPatterns(o);
  EXPECT_EQ(effective.size(), Redaction::defaultPatterns().size() + 3);

  ASSERT_TRUE(parseOptions("record,no_default_redact,redact=ONLY", o, error)) << error;
  EXPECT_EQ(effectiveRedactPatterns(o), (std::vector<std::string>{"ONLY"}));
  ASSERT_TRUE(parseOptions("record,no_default_redact", o, error)) << error;
  EXPECT_TRUE(effectiveRedactPatterns(o).empty());

  EXPECT_FALSE(parseOptions("record,redact=", o, error));
  EXPECT_NE(error.find("redact=PATTERN"), std::string::npos) << error;
  EXPECT_FALSE(parseOptions("record,no_default_redact=1", o, error));
  EXPECT_FALSE(parseOptions("replay,tape=x,redact=A", o, error));
  EXPECT_EQ(error, "option 'redact' is for record (replay redacts what the recording did)");

  // What a recording says it redacted, as replay reads the recorded options.
  ASSERT_TRUE(parseOptions("record,tape=/t,redacted=*TOKEN*:PW", o, error)) << error;
  EXPECT_TRUE(o.redactedSeen);
  EXPECT_EQ(o.redacted, (std::vector<std::string>{"*TOKEN*", "PW"}));
  ASSERT_TRUE(parseOptions("record,tape=/t,redacted=", o, error)) << error;
  EXPECT_TRUE(o.redactedSeen);
  EXPECT_TRUE(o.redacted.empty());
  ASSERT_TRUE(parseOptions("record,tape=/t", o, error)) << error;
  EXPECT_FALSE(o.redactedSeen);
}
