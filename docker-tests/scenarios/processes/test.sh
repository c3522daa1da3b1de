# Child processes replay from the recording, and none is started: a shell (its clock, its pid, its
# exit status 3), a child JVM (its nanoTime), a sleep that is destroyed, a program that does not
# exist, and the program's own pid. Plain runs differ in all of them. Replay runs with an empty
# PATH and no network, and strace shows it executes nothing but the replaying JVM.
plain "$WORK/plain1.out" Processes
plain "$WORK/plain2.out" Processes
check_differs "plain runs differ (clock, pids, nanoTime)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Processes
check "the recording saw the shell exit 3" grep -q "^sh printed [0-9]* [0-9]* and exited 3; its pid" "$WORK/rec.out"
check "the recording saw the child JVM" grep -q "^the child JVM said: nanoTime [0-9]*$" "$WORK/rec.out"
check "the recording saw sleep destroyed" grep -qx "sleep ended in time: true, exit 143" "$WORK/rec.out"
status=$(status_of "$WORK/replay.out" "$WORK/replay.err" unshare -n env PATH=/nonexistent "$WORK/run.retrace")
check "replay with an empty PATH, offline, exits 0" test "$status" = 0
check_same "replay prints what was recorded" "$WORK/rec.out" "$WORK/replay.out"
strace -f -qq -e trace=execve -o "$WORK/replay.strace" env PATH=/nonexistent "$WORK/run.retrace" >/dev/null 2>&1
check "replay starts no process (strace: no execve of sh, sleep or a second JVM)" sh -c \
  '! grep -E "execve\(\"[^\"]*/(sh|sleep|date|jspawnhelper)\"" "$1" && [ "$(grep -c "execve(\"$2\"" "$1")" -le 1 ]' \
  - "$WORK/replay.strace" "$JDK/bin/java"

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
