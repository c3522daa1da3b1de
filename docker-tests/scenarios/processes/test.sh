# Child processes replay from the recording, and none is started: a shell (its clock, its pid, its
# exit status 3), a child JVM (its nanoTime), a sleep that is destroyed, a program that does not
# exist, and the program's own pid. ProcessHandle.Info of the running sleep, of the sleep and the
# shell once they are gone, and of the program itself (its arguments, start time, CPU time) come
# from the recording too. Plain runs differ in all of them. Replay runs with an empty PATH and no
# network, and strace shows it executes nothing but the replaying JVM and reads no /proc/<pid>.
plain "$WORK/plain1.out" Processes
plain "$WORK/plain2.out" Processes
check_differs "plain runs differ (clock, pids, nanoTime)" "$WORK/plain1.out" "$WORK/plain2.out"
grep "info" "$WORK/plain1.out" >"$WORK/plain1.info"
grep "info" "$WORK/plain2.out" >"$WORK/plain2.info"
check_differs "plain runs differ in ProcessHandle.Info (start times)" "$WORK/plain1.info" "$WORK/plain2.info"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Processes
check "the recording saw the shell exit 3" grep -q "^sh printed [0-9]* [0-9]* and exited 3; its pid" "$WORK/rec.out"
check "the recording saw the child JVM" grep -q "^the child JVM said: nanoTime [0-9]*$" "$WORK/rec.out"
check "the recording saw sleep destroyed" grep -qx "sleep ended in time: true, exit 143" "$WORK/rec.out"
check "the recording saw the running sleep's info" \
  grep -q "^sleep's info: command /[^ ]*/sleep, arguments \[30\], started [0-9]*-.*Z, cpu PT[0-9.]*S, user [^-]" \
  "$WORK/rec.out"
check "the recording saw no info of the sleep and the shell once gone" sh -c \
  '[ "$(grep -cx "[a-z]*.s info once it is gone: command -, arguments -, started -, cpu -, user -" "$1")" = 2 ]' \
  - "$WORK/rec.out"
check "the recording saw its own info: the recorded JVM's arguments, start and CPU time" \
  grep -q "^my info: command /[^ ]*/java, arguments \[-agentpath:[^ ]*libretrace.so=record.*, Processes\], started [0-9]*-.*Z, cpu PT[0-9.]*S, user [^-]" \
  "$WORK/rec.out"
status=$(status_of "$WORK/replay.out" "$WORK/replay.err" unshare -n env PATH=/nonexistent "$WORK/run.retrace")
check "replay with an empty PATH, offline, exits 0" test "$status" = 0
check_same "replay prints what was recorded" "$WORK/rec.out" "$WORK/replay.out"
strace -f -qq -e trace=execve,open,openat,readlink,readlinkat -o "$WORK/replay.strace" env PATH=/nonexistent \
  "$WORK/run.retrace" >/dev/null 2>&1
check "replay starts no process (strace: no execve of sh, sleep or a second JVM)" sh -c \
  '! grep -E "execve\(\"[^\"]*/(sh|sleep|date|jspawnhelper)\"" "$1" && [ "$(grep -c "execve(\"$2\"" "$1")" -le 1 ]' \
  - "$WORK/replay.strace" "$JDK/bin/java"
# ProcessHandle.Info reads /proc/<pid>/cmdline and the link /proc/<pid>/exe; isAlive0 /proc/<pid>/stat.
check "replay reads no process's /proc/<pid> (strace: no cmdline, exe or stat)" \
  sh -c 'grep -q execve "$1" && ! grep -E "\"/proc/[0-9]+/(cmdline|exe|stat)\"" "$1"' - "$WORK/replay.strace"

# A tree of JVMs recorded into one file through JAVA_TOOL_OPTIONS, which every child inherits: four
# child JVMs started at once from four threads, and a chain three levels deep.
agent=$(dirname "$RETRACE")/../lib/libretrace.so
plain "$WORK/tree-plain1.out" Tree root
plain "$WORK/tree-plain2.out" Tree root
check_differs "the tree: plain runs differ" "$WORK/tree-plain1.out" "$WORK/tree-plain2.out"
JAVA_TOOL_OPTIONS="-agentpath:$agent=record,tape=$WORK/tree.retrace" "$JDK/bin/java" -cp "$WORK/classes" Tree root \
  >"$WORK/tree.out" 2>"$WORK/tree.err"
check "the tree ran 8 JVMs" sh -c '[ "$(grep -c "nanoTime" "$1")" = 8 ]' - "$WORK/tree.out"
"$RETRACE" --recording "$WORK/tree.retrace" --list_pids >"$WORK/tree.pids" 2>"$WORK/tree.pids.err"
"$RETRACE" summary "$WORK/tree.retrace" >"$WORK/tree.summary" 2>&1
# pid, parent pid and the JVM's argument (root, leaf, 2, 1), one process a line.
awk '/^ Process /{ pid = $2; parent = 0 } /^ Parent: /{ parent = $2 } /^ Command line: /{ print pid, parent, $NF }' \
  "$WORK/tree.summary" >"$WORK/tree.processes"
root_pid=$(awk '$3 == "root" { print $1 }' "$WORK/tree.processes")
check "--list_pids lists 8 processes, the root first" \
  sh -c '[ "$(wc -l <"$1")" = 8 ] && [ "$(head -1 "$1")" = "$2" ]' - "$WORK/tree.pids" "$root_pid"
check "the root started 4 leaves and the chain" sh -c \
  '[ "$(awk -v r="$2" "\$2 == r && \$3 == \"leaf\"" "$1" | wc -l)" = 4 ] &&
   [ "$(awk -v r="$2" "\$2 == r && \$3 == \"2\"" "$1" | wc -l)" = 1 ]' - "$WORK/tree.processes" "$root_pid"
check "the chain is three levels deep (2 -> 1 -> leaf)" sh -c \
  'two=$(awk "\$3 == \"2\" { print \$1 }" "$1"); one=$(awk -v p="$two" "\$2 == p && \$3 == \"1\" { print \$1 }" "$1");
   [ -n "$one" ] && [ "$(awk -v p="$one" "\$2 == p && \$3 == \"leaf\"" "$1" | wc -l)" = 1 ]' - "$WORK/tree.processes"
"$WORK/tree.retrace" --extract "$WORK/tree.d" >/dev/null 2>"$WORK/extract.err"
check "--extract writes index.json and one .bin per process" \
  sh -c '[ -s "$1/index.json" ] && [ "$(ls "$1"/*.bin | wc -l)" = 8 ]' - "$WORK/tree.d"
# Each child names the parent's event that started it: a forkAndExec on that thread, at that index,
# that returned the child's pid.
awk '/"pid" :/ { pid = $3 + 0 } /"parentPid" :/ { parent = $3 + 0 } /"parentEventIndex" :/ { index_ = $3 + 0 }
  /"parentThread" :/ { if (parent) print pid, parent, $3 + 0, index_ }' "$WORK/tree.d/index.json" >"$WORK/tree.links"
"$RETRACE" print --json "$WORK/tree.retrace" >"$WORK/tree.events.json" 2>/dev/null
links_ok=true
while read -r pid parent thread index; do
  grep -qF "{\"pid\":$parent,\"thread\":$thread,\"index\":$index,\"call\":\"java.lang.ProcessImpl.forkAndExec(I[B[B[BI[BI[B[IZ)I\",\"callId\":310,\"value\":$pid" \
    "$WORK/tree.events.json" || { links_ok=false; echo "$pid: no forkAndExec of $parent at thread $thread, event $index"; }
done <"$WORK/tree.links" >"$WORK/tree.links.bad"
check "each of the 7 children names its parent's forkAndExec event (thread, index)" sh -c \
  '$1 && [ "$(wc -l <"$2")" = 7 ] || { cat "$3"; false; }' - "$links_ok" "$WORK/tree.links" "$WORK/tree.links.bad"
bins_ok=true
while read -r pid parent what; do
  if ! "$WORK/tree.d/$pid.bin" >"$WORK/tree.d/$pid.out" 2>"$WORK/tree.d/$pid.err"; then
    bins_ok=false
    echo "$pid.bin failed: $(head -3 "$WORK/tree.d/$pid.err")" >>"$WORK/tree.bins"
  elif ! grep -qF "$(head -1 "$WORK/tree.d/$pid.out")" "$WORK/tree.out"; then
    bins_ok=false
    echo "$pid.bin printed $(head -1 "$WORK/tree.d/$pid.out"), not in the tree's output" >>"$WORK/tree.bins"
  fi
done <"$WORK/tree.processes"
check "each process's .bin replays it alone, printing its recorded line" sh -c '$1 || { cat "$2"; false; }' - \
  "$bins_ok" "$WORK/tree.bins"
status=$(status_of "$WORK/tree.replay" "$WORK/tree.replay.err" unshare -n "$WORK/tree.retrace")
check "the root's replay, offline, exits 0" test "$status" = 0
check_same "the root's replay prints the whole tree as recorded" "$WORK/tree.out" "$WORK/tree.replay"

# The tree recording cut short (a killed recorder, a full disk, a copy that stopped early).
# --extract takes out every whole process, names each incomplete or missing one on a line of its
# own, then the recording on one line, exits 1, and marks each process in index.json. Where to cut
# comes from the whole extraction's index: where each process's frames start, and its last frame
# (its end frame), in start order.
awk '/^    "pid" :/ { pid = $3 + 0 } /^    "firstOffset" :/ { first = $3 + 0 } /^    "lastOffset" :/ { print pid, first, $3 + 0 }' \
  "$WORK/tree.d/index.json" | sort -k2,2n >"$WORK/tree.offsets"
tree_size=$(stat -c %s "$WORK/tree.retrace")
two_pid=$(awk '$3 == "2" { print $1 }' "$WORK/tree.processes")
one_pid=$(awk -v p="$two_pid" '$2 == p && $3 == "1" { print $1 }' "$WORK/tree.processes")
leaf_pids=$(awk -v r="$root_pid" '$2 == r && $3 == "leaf" { print $1 }' "$WORK/tree.processes")
read -r last_pid _ last_end < <(tail -1 "$WORK/tree.offsets")     # the chain's leaf, started last
read -r first_child first_child_at _ < <(sed -n 2p "$WORK/tree.offsets")
check "the tree's index gives 8 processes' offsets; the last started is the chain's leaf" sh -c \
  '[ "$(wc -l <"$1")" = 8 ] && [ -n "$3" ] && awk -v p="$3" -v o="$2" "\$1 == p && \$2 == o && \$3 == \"leaf\"" "$4" | grep -q .' \
  - "$WORK/tree.offsets" "$one_pid" "$last_pid" "$WORK/tree.processes"

# cut_tree NAME BYTES: the first BYTES of the tree recording, as the executable $WORK/NAME.retrace.
cut_tree() {
  head -c "$2" "$WORK/tree.retrace" >"$WORK/$1.retrace"
  chmod 700 "$WORK/$1.retrace"
}
# completeness DIR: "pid true|false" for each process of DIR/index.json, sorted.
completeness() {
  awk '/^    "pid" :/ { pid = $3 + 0 } /^    "complete" :/ { sub(",", "", $3); print pid, $3 }' "$1/index.json" | sort
}
# said_incomplete ERR: the pids that ERR's lines call incomplete, sorted.
said_incomplete() {
  sed -n 's/^retrace extract: process \([0-9]*\) is incomplete: .*/\1/p' "$1" | sort
}

# 1. Cut inside the last child's end frame: the four leaves had ended, they are whole; the root,
#    the chain and its leaf are not.
cut_tree cut-last $((last_end + 5))
status=$(status_of "$WORK/cut-last.out" "$WORK/cut-last.err" "$WORK/cut-last.retrace" --extract)
check "cut in the last child's end frame: ./FILE --extract exits 1" test "$status" = 1
check "cut in the last child's end frame: no stack trace" sh -c \
  '! grep -qE "^\s+at |Exception|hs_err" "$1" "$2"' - "$WORK/cut-last.out" "$WORK/cut-last.err"
printf '%s\n' "$root_pid" "$two_pid" "$one_pid" "$last_pid" | sort >"$WORK/cut-last.want"
said_incomplete "$WORK/cut-last.err" >"$WORK/cut-last.said"
check_same "cut in the last child's end frame: one stderr line for each incomplete process (root, 2, 1, its leaf)" \
  "$WORK/cut-last.want" "$WORK/cut-last.said"
check "cut in the last child's end frame: then one line for the file: 4 of 8 whole, 4 incomplete" sh -c \
  '[ "$(wc -l <"$1")" = 5 ] && tail -1 "$1" | grep -qE "^retrace extract: $2 is incomplete: .*offset [0-9]+.*; 4 of 8 processes extracted whole, 4 incomplete$"' \
  - "$WORK/cut-last.err" "$WORK/cut-last.retrace"
{ for pid in $leaf_pids; do echo "$pid true"; done; sed 's/$/ false/' "$WORK/cut-last.want"; } | sort >"$WORK/cut-last.index.want"
completeness "$WORK/cut-last.d" >"$WORK/cut-last.index"
check_same "cut in the last child's end frame: index.json marks the 4 leaves complete, the other 4 not" \
  "$WORK/cut-last.index.want" "$WORK/cut-last.index"
check "cut in the last child's end frame: stdout lists the 8 .bin files and index.json" sh -c \
  '[ "$(grep -c "\.bin$" "$1")" = 8 ] && [ "$(tail -1 "$1")" = "$2/index.json" ]' - "$WORK/cut-last.out" "$WORK/cut-last.d"
leaves_ok=true
for pid in $leaf_pids; do
  bin=$WORK/cut-last.d/$pid.bin
  status=$(status_of "$bin.out" "$bin.err" "$bin")
  if ! cmp -s "$bin" "$WORK/tree.d/$pid.bin"; then
    leaves_ok=false; echo "$pid.bin differs from the whole recording's extraction"
  elif [ "$status" != 0 ] || ! cmp -s "$bin.out" "$WORK/tree.d/$pid.out" || ! grep -qxF "  $(cat "$bin.out")" "$WORK/tree.out"; then
    leaves_ok=false; echo "$pid.bin: exit $status, printed '$(cat "$bin.out")': $(head -3 "$bin.err")"
  fi
done >"$WORK/cut-last.leaves"
check "cut in the last child's end frame: each whole leaf's .bin is the one of the whole recording and replays its recorded line" \
  sh -c '$1 || { cat "$2"; false; }' - "$leaves_ok" "$WORK/cut-last.leaves"
status=$(status_of "$WORK/cut-last.root.out" "$WORK/cut-last.root.err" "$WORK/cut-last.d/$root_pid.bin")
check "cut in the last child's end frame: the root's .bin replays the tree's output up to the cut, then exits 123" sh -c \
  '[ "$1" = 123 ] && grep -q "^root: nanoTime" "$2" && head -c "$(stat -c %s "$2")" "$3" | cmp -s - "$2" || { echo "exit $1"; cat "$2"; tail -2 "$4"; false; }' \
  - "$status" "$WORK/cut-last.root.out" "$WORK/tree.out" "$WORK/cut-last.root.err"

# 2. Cut just after the root's start, inside the first child's start frame: the root is there but
#    incomplete, the first child is missing (the cut frame's header names it).
cut_tree cut-start $((first_child_at + 100))
status=$(status_of "$WORK/cut-start.out" "$WORK/cut-start.err" "$RETRACE" --recording "$WORK/cut-start.retrace" --extract)
check "cut just after the root's start: --extract exits 1 with 3 lines: the root incomplete, the first child missing, the file" sh -c \
  '[ "$1" = 1 ] && [ "$(wc -l <"$2")" = 3 ] &&
   sed -n 1p "$2" | grep -q "^retrace extract: process $3 is incomplete: no end frame" &&
   [ "$(sed -n 2p "$2")" = "retrace extract: process $4 is missing: its first frame, at offset $5, is cut off by the end of the file; nothing of it was extracted" ] &&
   sed -n 3p "$2" | grep -q "; 0 of 2 processes extracted whole, 1 incomplete, 1 missing$" || { echo "exit $1"; cat "$2"; false; }' \
  - "$status" "$WORK/cut-start.err" "$root_pid" "$first_child" "$first_child_at"
check "cut just after the root's start: index.json lists the root, incomplete, and the first child as missing" sh -c \
  '[ "$(awk "/^    \"pid\" :/ { pid = \$3 + 0 } /^    \"complete\" :/ { print pid, \$3 }" "$1/index.json")" = "$2 false," ] &&
   [ "$(awk "/\"missing\" :/ { m = 1 } m && /\"pid\" :/ { print \$3 + 0 }" "$1/index.json")" = "$3" ] &&
   [ "$(ls "$1")" = "$(printf "%s\n" "$2.bin" index.json)" ]' - "$WORK/cut-start.d" "$root_pid" "$first_child"

# 3. Cut inside the root's end frame (the file's last), extracted into the whole recording's
#    extraction: the 7 children are whole and the same; the root's earlier, whole .bin is kept, and
#    the files beside them are left alone.
cp -a "$WORK/tree.d" "$WORK/tree.d.before"
cut_tree cut-end $((tree_size - 5))
status=$(status_of "$WORK/cut-end.out" "$WORK/cut-end.err" "$WORK/cut-end.retrace" --extract "$WORK/tree.d")
check "cut in the root's end frame, into the earlier extraction: exit 1, the root incomplete and its earlier .bin kept, 7 of 8 whole" sh -c \
  '[ "$1" = 1 ] && [ "$(wc -l <"$2")" = 2 ] &&
   sed -n 1p "$2" | grep -q "^retrace extract: process $3 is incomplete: .*; kept $4/$3.bin of an earlier extraction, which holds more of it$" &&
   sed -n 2p "$2" | grep -q "; 7 of 8 processes extracted whole, 1 incomplete$" || { echo "exit $1"; cat "$2"; false; }' \
  - "$status" "$WORK/cut-end.err" "$root_pid" "$WORK/tree.d"
check "cut in the root's end frame, into the earlier extraction: only index.json changed (every .bin, and the other files, as they were)" \
  sh -c '[ "$(diff -rq "$1" "$2")" = "Files $1/index.json and $2/index.json differ" ]' - "$WORK/tree.d.before" "$WORK/tree.d"
completeness "$WORK/tree.d" >"$WORK/cut-end.index"
check "cut in the root's end frame: index.json marks the root incomplete, the 7 others complete" sh -c \
  '[ "$(grep -c " true$" "$1")" = 7 ] && grep -qx "$2 false" "$1"' - "$WORK/cut-end.index" "$root_pid"

# An unknown pid is one line on stderr and a non-zero exit in every form that takes --pid: exit 2
# for a replay (as the launcher), 1 for print. In a cut recording the line says the file stops early.
unknown=1
while grep -qx "$unknown" "$WORK/tree.pids"; do unknown=$((unknown + 1)); done
# unknown_pid LABEL WANT PREFIX COMMAND...: exit WANT, nothing on stdout, one stderr line starting with PREFIX.
unknown_pid() {
  local label=$1 want=$2 prefix=$3 status
  shift 3
  status=$(status_of "$WORK/upid.out" "$WORK/upid.err" "$@")
  check "unknown pid: $label exits $want with one line" sh -c \
    '[ "$1" = "$2" ] && [ ! -s "$3" ] && [ "$(wc -l <"$4")" = 1 ] && ! grep -qE "^\s+at |Exception" "$4" &&
     case "$(cat "$4")" in "$5"*) true ;; *) false ;; esac || { echo "exit $1"; cat "$4"; false; }' \
    - "$status" "$want" "$WORK/upid.out" "$WORK/upid.err" "$prefix"
}
tree=$WORK/tree.retrace
unknown_pid "retrace replay FILE --pid N" 2 "retrace replay: no process $unknown in $tree (its processes: " \
  "$RETRACE" replay "$tree" --pid "$unknown"
unknown_pid "./FILE --pid N" 2 "retrace-replay: no process $unknown in $tree (its processes: " "$tree" --pid "$unknown"
unknown_pid "./FILE --pid N --verbose" 2 "retrace-replay: no process $unknown in " "$tree" --pid "$unknown" --verbose
unknown_pid "retrace --recording FILE --pid N" 2 "retrace replay: no process $unknown in " \
  "$RETRACE" --recording "$tree" --pid "$unknown"
unknown_pid "retrace print --pid N FILE" 1 "retrace print: no process $unknown in $tree (its processes: " \
  "$RETRACE" print --pid "$unknown" "$tree"
unknown_pid "./FILE print --json --pid N" 1 "retrace print: no process $unknown in " "$tree" print --json --pid "$unknown"
cut=$WORK/cut-start.retrace
unknown_pid "./CUT --pid MISSING" 2 "retrace-replay: no process $first_child in $cut (its processes: $root_pid); $cut stops early, at offset $first_child_at: " \
  "$cut" --pid "$first_child"
unknown_pid "retrace replay CUT --pid MISSING" 2 "retrace replay: no process $first_child in $cut (its processes: $root_pid); $cut stops early, at offset $first_child_at: " \
  "$RETRACE" replay "$cut" --pid "$first_child"

# `retrace install` puts the bare agent into JAVA_TOOL_OPTIONS: it does nothing until
# RETRACE_RECORDING names a file (here a relative one, which the children must still find).
"$RETRACE" install --rc "$WORK/rc" >"$WORK/install.out" 2>&1
check "retrace install prints the lines it added" grep -q "^  export JAVA_TOOL_OPTIONS=" "$WORK/install.out"
mkdir -p "$WORK/installed"
(cd "$WORK/installed" && . "$WORK/rc" && "$JDK/bin/java" -cp "$WORK/classes" Tree root >dormant.out 2>dormant.err)
check "installed, without RETRACE_RECORDING: the tree runs and nothing is recorded" \
  sh -c 'grep -q "^      leaf: nanoTime" "$1/dormant.out" && [ -z "$(ls "$1" | grep -v "^dormant")" ]' - "$WORK/installed"
(cd "$WORK/installed" && . "$WORK/rc" && RETRACE_RECORDING=tree.retrace "$JDK/bin/java" -cp "$WORK/classes" Tree root \
  >recorded.out 2>recorded.err)
check "installed, with RETRACE_RECORDING=tree.retrace: all 8 JVMs in one recording" \
  sh -c '[ "$("$1" --recording "$2" --list_pids | wc -l)" = 8 ]' - "$RETRACE" "$WORK/installed/tree.retrace"
status=$(status_of "$WORK/installed/replay.out" "$WORK/installed/replay.err" unshare -n "$WORK/installed/tree.retrace")
check "its replay, offline, exits 0 and prints the tree as recorded" \
  sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' - "$status" "$WORK/installed/recorded.out" "$WORK/installed/replay.out"
"$RETRACE" uninstall --rc "$WORK/rc" >"$WORK/uninstall.out" 2>&1
check "retrace uninstall takes the lines out again" sh -c '! grep -q JAVA_TOOL_OPTIONS "$1"' - "$WORK/rc"
