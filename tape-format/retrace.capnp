# The Retrace recording format. One schema for every message a tape holds.
#
# A recording file is a shebang line followed by frames (see tape-format/include/retrace/tape/frame.h).
# Each frame payload is one packed Cap'n Proto `Message`. Per process the frames are:
#   processStart, then any number of threadStart / eventChunk / handovers, then processEnd.
# A process without processEnd was killed or crashed: its tape is incomplete but usable up to
# its last whole frame.
#
# Bump kFormatVersion (frame.h) and `formatVersion` below on every change to this file that a reader
# of the previous version would misread or replay wrongly; a field added for information only, which
# older readers skip and newer ones read as absent, needs none (docs/recording-format.md).
@0xd3b1c0a9e8f70a11;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("retrace::schema");

const formatVersion :UInt32 = 4;

struct Message {
  union {
    processStart @0 :ProcessStart;
    threadStart @1 :ThreadStart;
    eventChunk @2 :EventChunk;
    processEnd @3 :ProcessEnd;
    handovers @4 :Handovers;
  }
}

struct ProcessStart {
  formatVersion @0 :UInt32;
  pid @1 :UInt32;
  parentPid @2 :UInt32;            # 0 for the root process of a recording
  parentEventIndex @3 :UInt64;     # the index of the parent's forkAndExec event (child processes)
  argv @4 :List(Text);             # the java process's own argv (/proc/self/cmdline)
  javaHome @5 :Text;
  jvmVersion @6 :Text;             # java.vm.name + " " + java.vm.version
  cwd @7 :Text;
  env @8 :List(Text);              # KEY=VALUE as the process started
  systemProperties @9 :List(Property);  # VM properties at agent load
  code @10 :List(CodeEntry);       # pass-through code and its checksums
  startTimeMillis @11 :Int64;
  agentOptions @12 :Text;
  calls @13 :List(CallInfo);       # the boundary table of the recording agent
  parentThread @14 :UInt32;        # with parentEventIndex: which of the parent's threads started it
}

struct Property {
  key @0 :Text;
  value @1 :Text;
}

struct CodeEntry {
  path @0 :Text;
  role @1 :Role;
  crc32c @2 :UInt32;
  size @3 :UInt64;  # 2^64-1: the entry did not exist
  enum Role {
    javaHome @0;    # a file of the JDK that identifies the build (release, libjvm.so)
    classpath @1;   # a jar, or the .class files below a directory entry
    agent @2;       # libretrace.so itself
    loaded @3;      # a jar or class file the program's class loaders opened as it ran (ProcessEnd)
  }
}

struct CallInfo {
  id @0 :UInt16;
  className @1 :Text;     # binary name with dots: java.io.FileInputStream
  method @2 :Text;
  descriptor @3 :Text;    # JVM method descriptor: ([BII)I
}

struct ThreadStart {
  thread @0 :UInt32;      # logical thread id: 0 is main, then start order
  name @1 :Text;
  started @2 :Bool;       # started through Thread.start by a recorded thread: parent and childIndex hold
  parent @3 :UInt32;      # the logical thread that started it
  childIndex @4 :UInt32;  # how many threads that parent had started before it: with parent, it
                          # names the thread the same way in every run, whatever the start order
}

struct EventChunk {
  thread @0 :UInt32;
  firstIndex @1 :UInt64;  # index of events[0] within its thread's sequence
  events @2 :List(Event);
  eventCount @3 :UInt32;  # = events.size(), readable from the first words of the frame alone
}

# One answered boundary call. `value` is delta-coded inside a chunk: the stored number is the
# difference from the previous event of the same `call` in the same chunk (the first one is
# absolute). Clock readings then take one or two bytes after packing.
struct Event {
  call @0 :UInt16;        # CallInfo.id
  value @1 :Int64;        # return value: integers, booleans (0/1), doubles as raw bits
  data @2 :Data;          # bytes the call produced (a read), or for writes the bytes written
  items @3 :List(Item);   # returned strings / byte arrays, in order
  fields @4 :List(Int64); # object fields the call set (stat results, file descriptors)
  thrown @5 :Thrown;      # set when the call threw
  stack @6 :List(Frame);  # Java stack at the call, when recorded with `stacktraces`
}

struct Item {
  isNull @0 :Bool;
  bytes @1 :Data;         # modified UTF-8 for strings, raw for byte arrays
}

struct Thrown {
  className @0 :Text;     # internal form: java/io/FileNotFoundException
  message @1 :Text;
  hasMessage @2 :Bool;
  errno @3 :Int32;        # sun.nio.fs.UnixException errno, else 0
}

struct Frame {
  method @0 :Text;        # java.io.FileInputStream.open(FileInputStream.java)
  line @1 :Int32;         # -1 when unknown
}

struct ProcessEnd {
  exitStatus @0 :Int32;
  complete @1 :Bool;       # false when a write failed (disk full): events after it are missing
  eventCount @2 :UInt64;
  endTimeMillis @3 :Int64;
  truncatedReason @4 :Text;
  threads @5 :List(ThreadStart);
  handoverCount @6 :UInt64;  # hand-overs the process made: a reader that read fewer knows its
                             # schedule lost its tail, which replay cannot guess
  code @7 :List(CodeEntry);  # code found as the program ran (role loaded): read live, not recorded,
                             # checked by replay like ProcessStart.code
  cleared @8 :ClearedReferences;  # what the collector cleared while the process ran (not events:
                                  # the collector is outside the recording; tools say so)
}

# References the collector cleared and handed to the JDK's Reference Handler thread, by kind, in
# the run that wrote the frame. Weak and soft references cleared at other moments are the usual
# reason a program takes another course on replay (docs/limitations.md#garbage-collection-and-memory).
struct ClearedReferences {
  weak @0 :UInt64;        # WeakReference and subclasses (WeakHashMap entries, ThreadLocal entries)
  soft @1 :UInt64;        # SoftReference and subclasses (caches)
  phantom @2 :UInt64;     # PhantomReference, java.lang.ref.Cleaner actions
  finalized @3 :UInt64;   # objects queued for finalize()
}

# A run of the process's thread hand-over schedule: which logical thread got the baton next, in the
# order it happened. Replay grants the baton in exactly this order, so the entries of all frames of
# a process form one sequence; they travel in frames of their own so that the schedule reaches the
# file as the program runs, not only at exit, and a killed process still leaves its prefix.
struct Handovers {
  firstIndex @0 :UInt64;         # index of entries[0] in the process's schedule: a frame that does
                                 # not continue the previous one shows a hole a reader must not skip
  entries @1 :List(Handover);
}

# One hand-over. It is named by the giver's own count of scheduling points, not by time or by the
# other threads, so that the same program reaches the same entry at the same place on replay.
struct Handover {
  from @0 :UInt32;        # the logical thread that gave the baton up (ThreadStart.thread)
  fromPoint @1 :UInt64;   # how many scheduling points `from` had passed: where replay makes it give up
  to @2 :UInt32;          # the logical thread that got the baton next; never `from` (a take-back
                          # with nobody in between is not recorded, replay infers it)
  kind @3 :UInt8;         # why: 0 yield (a waiter had waited a quantum), 1 block (before a blocking
                          # call or at thread end): both inside the determinism guarantee; 2 forced
                          # (the holder blocked inside the VM), 3 escape (the holder ran too long
                          # without a scheduling point): outside it, so tools warn about them;
                          # 4 preempt (the holder was preempted between two scheduling points, at
                          # its `fromTick`-th tick): inside the guarantee.
                          # The values are demux::HandoverKind's, stored as they are: keep them stable.
  fromTick @4 :UInt64;    # preempt only: ticks (method entries, counted by bytecode the agent adds)
                          # `from` had run since it passed `fromPoint` or last took the baton back
}
