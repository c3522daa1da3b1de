#include "options.h"

#include <gtest/gtest.h>

using retrace::agent::Mode;
using retrace::agent::Options;
using retrace::agent::parseOptions;
using retrace::agent::SaveOn;

TEST(Options, RecordWithEverything) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record,tape=/tmp/a.retrace,save_on=failure,stacktraces,verbose", o, error)) << error;
  EXPECT_EQ(o.mode, Mode::kRecord);
  EXPECT_EQ(o.tape, "/tmp/a.retrace");
  EXPECT_EQ(o.saveOn, SaveOn::kFailure);
  EXPECT_TRUE(o.stacktraces);
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.raw, "record,tape=/tmp/a.retrace,save_on=failure,stacktraces,verbose");
}

TEST(Options, RecordAloneUsesDefaults) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record", o, error)) << error;
  EXPECT_TRUE(o.tape.empty());
  EXPECT_EQ(o.saveOn, SaveOn::kAlways);
  EXPECT_FALSE(o.stacktraces);
}

TEST(Options, ReplayNeedsTapeAndTakesPid) {
  Options o;
  std::string error;
  EXPECT_FALSE(parseOptions("replay", o, error));
  EXPECT_EQ(error, "replay needs tape=PATH");
  ASSERT_TRUE(parseOptions("replay,tape=x.retrace,pid=1234", o, error)) << error;
  EXPECT_EQ(o.mode, Mode::kReplay);
  EXPECT_EQ(o.pid, 1234u);
  EXPECT_FALSE(o.checkStacks);
  ASSERT_TRUE(parseOptions("replay,tape=x.retrace,check_stacks", o, error)) << error;
  EXPECT_TRUE(o.checkStacks);
  EXPECT_FALSE(o.debug);
  ASSERT_TRUE(parseOptions("replay,tape=x.retrace,debug", o, error)) << error;
  EXPECT_TRUE(o.debug);
  EXPECT_TRUE(o.codeMap.empty());
  ASSERT_TRUE(parseOptions("replay,tape=x.retrace,codemap=/cache/maps/ab.tsv", o, error)) << error;
  EXPECT_EQ(o.codeMap, "/cache/maps/ab.tsv");
  EXPECT_FALSE(o.anyBuild);
  ASSERT_TRUE(parseOptions("replay,tape=x.retrace,any_build", o, error)) << error;
  EXPECT_TRUE(o.anyBuild);
}

TEST(Options, EscapeAfterIsARecordingTimeInMilliseconds) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record", o, error)) << error;
  EXPECT_EQ(o.escapeAfterMillis, 200u);
  ASSERT_TRUE(parseOptions("record,escape_after=0", o, error)) << error;
  EXPECT_EQ(o.escapeAfterMillis, 0u);
  ASSERT_TRUE(parseOptions("record,escape_after=1500", o, error)) << error;
  EXPECT_EQ(o.escapeAfterMillis, 1500u);
}

TEST(Options, PreemptionIsOffUnlessTurnedOn) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record", o, error)) << error;
  EXPECT_FALSE(o.preempt);
  ASSERT_TRUE(parseOptions("record,preempt=off", o, error)) << error;
  EXPECT_FALSE(o.preempt);
  ASSERT_TRUE(parseOptions("record,preempt=on", o, error)) << error;
  EXPECT_TRUE(o.preempt);
  EXPECT_FALSE(o.preemptFields);
  EXPECT_FALSE(o.chaos);
}

TEST(Options, PreemptFieldsImpliesPreempt) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record,preempt=fields", o, error)) << error;
  EXPECT_TRUE(o.preempt);
  EXPECT_TRUE(o.preemptFields);
  // The last one counts, as for every repeated option.
  ASSERT_TRUE(parseOptions("record,preempt=fields,preempt=on", o, error)) << error;
  EXPECT_TRUE(o.preempt);
  EXPECT_FALSE(o.preemptFields);
  ASSERT_TRUE(parseOptions("record,preempt=fields,preempt=off", o, error)) << error;
  EXPECT_FALSE(o.preempt || o.preemptFields);
  // Chaos keeps the finer points, whichever comes first.
  for (const char* text : {"record,chaos,preempt=fields", "record,preempt=fields,chaos"}) {
    SCOPED_TRACE(text);
    ASSERT_TRUE(parseOptions(text, o, error)) << error;
    EXPECT_TRUE(o.chaos && o.preempt && o.preemptFields);
  }
  ASSERT_TRUE(parseOptions("record,chaos", o, error)) << error;
  EXPECT_FALSE(o.preemptFields);
}

TEST(Options, ChaosPreempts) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record,chaos", o, error)) << error;
  EXPECT_TRUE(o.chaos);
  EXPECT_TRUE(o.preempt);
  Options both;
  ASSERT_TRUE(parseOptions("record,preempt=on,chaos", both, error)) << error;
  EXPECT_TRUE(both.chaos && both.preempt);
}

TEST(Options, RejectsWhatItDoesNotKnow) {
  Options o;
  std::string error;
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {nullptr, "say record or replay"},
      {"", "say record or replay"},
      {"recrod", "unknown option 'recrod'"},
      {"record,replay", "give either record or replay, once"},
      {"record,save_on=sometimes", "save_on must be always or failure, not 'sometimes'"},
      {"record,tape=", "option 'tape' needs a path: tape=PATH"},
      {"record,verbose=yes", "option 'verbose' takes no value"},
      {"record,,verbose", "empty option in 'record,,verbose'"},
      {"replay,tape=a,pid=x", "pid must be a process id, not 'x'"},
      {"replay,tape=a,pid=99999999999", "pid must be a process id, not '99999999999'"},
      {"record,pid=3", "option 'pid' is for replay"},
      {"record,check_stacks", "option 'check_stacks' is for replay"},
      {"record,debug", "option 'debug' is for replay"},
      {"record,codemap=/m.tsv", "option 'codemap' is for replay"},
      {"record,any_build", "option 'any_build' is for replay"},
      {"record,why=/w.json", "option 'why' is for replay"},
      {"replay,tape=a,codemap=m.tsv", "option 'codemap' needs an absolute path: codemap=PATH"},
      {"record,escape_after=soon", "escape_after must be a number of milliseconds (0: never), not 'soon'"},
      {"replay,tape=a,escape_after=5", "option 'escape_after' is for record (replay follows the recording)"},
      {"record,preempt=maybe", "preempt must be on, off or fields, not 'maybe'"},
      {"replay,tape=a,preempt=fields", "option 'preempt' is for record (replay follows the recording)"},
      {"replay,tape=a,preempt=off", "option 'preempt' is for record (replay follows the recording)"},
      {"record,chaos,preempt=off", "chaos preempts threads: it cannot go with preempt=off"},
      {"record,preempt=off,chaos", "chaos preempts threads: it cannot go with preempt=off"},
      {"record,chaos=on", "option 'chaos' takes no value"},
      {"replay,tape=a,chaos", "option 'chaos' is for record (replay follows the recording)"},
      {"replay,tape=a,keep_references", "option 'keep_references' is for record (replay follows the recording)"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(parseOptions(c.text, o, error)) << (c.text ? c.text : "(null)");
    EXPECT_EQ(error, c.message) << (c.text ? c.text : "(null)");
  }
}

TEST(Options, ChildrenByDefaultAndNoChildren) {
  Options o;
  std::string error;
  ASSERT_TRUE(parseOptions("record,tape=a.retrace", o, error)) << error;
  EXPECT_TRUE(o.children);
  ASSERT_TRUE(parseOptions("record,tape=a.retrace,no_children", o, error)) << error;
  EXPECT_FALSE(o.children);
  EXPECT_FALSE(parseOptions("record,no_children=1", o, error));
  EXPECT_FALSE(parseOptions("replay,tape=a.retrace,no_children", o, error));
  EXPECT_EQ(error, "option 'no_children' is for record (replay follows the recording)");
}

TEST(Options, ChildAgentOptionsHaveTheAbsoluteTape) {
  using retrace::agent::childAgentOptions;
  EXPECT_EQ(childAgentOptions("record,tape=a.retrace,save_on=failure,verbose", "/w/a.retrace"),
            "record,tape=/w/a.retrace,save_on=failure,verbose");
  EXPECT_EQ(childAgentOptions("save_on=failure,record", "/w/retrace-42.retrace"),
            "save_on=failure,record,tape=/w/retrace-42.retrace");
  EXPECT_EQ(childAgentOptions("record,redact=A*:B,stacktraces,tape=/x/t.retrace", "/x/t.retrace"),
            "record,tape=/x/t.retrace,redact=A*:B,stacktraces");
}
