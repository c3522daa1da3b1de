# `retrace record` records the whole tree with no set-up: the root JVM starts a shell, a JVM of the
# same JDK directly, and a JVM through `sh -c`; both child JVMs record into the root's file, as
# processes of their own. The agent reaches the direct JVM on its command line (it prints nothing
# more) and the one behind the shell through JAVA_TOOL_OPTIONS. A user's own JAVA_TOOL_OPTIONS is
# kept: every JVM sees -Dx=y, recorded and replayed. --no-children records the root only.
plain "$WORK/plain1.out" Children
plain "$WORK/plain2.out" Children
check "a plain run starts the shell and both JVMs" sh -c \
  'grep -q "^shell: pid" "$1" && grep -q "^direct JVM: nanoTime [0-9]*, pid [0-9]*, x=null$" "$1" &&
   grep -q "^shell JVM: nanoTime" "$1" && [ ! -s "$1.err" ]' - "$WORK/plain1.out"
check_differs "plain runs differ (clocks, pids)" "$WORK/plain1.out" "$WORK/plain2.out"

# pids_of TAPE OUT: --list_pids of TAPE, in the form docs/cli.md gives, into OUT; fails when it fails.
pids_of() {
  "$RETRACE" --recording "$1" --list_pids >"$2" 2>"$2.err"
}
# pid_printing LINE_START OUT: the pid a JVM printed ("..., pid N, x=...") on the line starting so.
pid_printing() {
  sed -n "s/^$1 JVM: nanoTime [0-9]*, pid \([0-9]*\), .*/\1/p" "$2"
}
# check_tree LABEL TAPE RECORDED X: the recording lists the root, the direct JVM and the JVM behind
# the shell (pids as they printed them, the root first); --extract writes a .bin for each; each
# .bin replays alone, offline, printing what that JVM printed when recorded; every JVM saw x=X.
check_tree() {
  local label=$1 tape=$2 recorded=$3 x=$4 dir=${2%.retrace}.d pid ok=true
  pids_of "$tape" "$tape.pids"
  printf '%s\n' "$(pid_printing root "$recorded")" "$(pid_printing direct "$recorded")" \
    "$(pid_printing shell "$recorded")" >"$tape.pids.want"
  check_same "$label: --list_pids lists the root, then the direct JVM and the JVM behind the shell" \
    "$tape.pids.want" "$tape.pids"
  check "$label: every JVM saw x=$x" sh -c '[ "$(grep -c "JVM: .*, x=$2$" "$1")" = 3 ]' - "$recorded" "$x"
  "$tape" --extract >"$tape.extract" 2>&1
  check "$label: ./FILE --extract writes index.json and the 3 .bin files" sh -c \
    '[ -s "$1/index.json" ] && [ "$(ls "$1"/*.bin | wc -l)" = 3 ] &&
     for pid in $(cat "$2"); do [ -x "$1/$pid.bin" ] || exit 1; done' - "$dir" "$tape.pids"
  check "$label: the recording and each .bin are the owner's only (mode 700)" sh -c \
    'for f in "$@"; do [ "$(stat -c %a "$f")" = 700 ] || { echo "$f: $(stat -c %a "$f")"; exit 1; }; done' \
    - "$tape" "$dir"/*.bin
  root=$(head -1 "$tape.pids")
  status=$(status_of "$dir/root.out" "$dir/root.err" unshare -n "$dir/$root.bin")
  check "$label: the root's .bin replays alone, offline, exit 0" test "$status" = 0
  check_same "$label: the root's .bin prints what the root printed when recorded" "$recorded" "$dir/root.out"
  for what in direct shell; do
    pid=$(pid_printing "$what" "$recorded")
    grep "^$what JVM: " "$recorded" >"$dir/$what.want"
    status=$(status_of "$dir/$what.out" "$dir/$what.err" unshare -n "$dir/$pid.bin")
    check "$label: the $what JVM's .bin replays alone, offline, exit 0" sh -c \
      '[ "$1" = 0 ] || { echo "exit $1"; head -5 "$2"; false; }' - "$status" "$dir/$what.err"
    check_same "$label: the $what JVM's .bin prints what it printed when recorded" "$dir/$what.want" "$dir/$what.out"
  done
  status=$(status_of "$tape.replay.out" "$tape.replay.err" unshare -n "$tape")
  check "$label: ./FILE replays the root, offline, exit 0" test "$status" = 0
  check_same "$label: ./FILE prints the whole tree's output as recorded" "$recorded" "$tape.replay.out"
}

# 1. Plain `retrace record`, no JAVA_TOOL_OPTIONS of the user's.
status=$(status_of "$WORK/rec.out" "$WORK/rec.err" env -u JAVA_TOOL_OPTIONS "$RETRACE" record --java "$JDK/bin/java" \
  -o "$WORK/tree.retrace" -- -cp "$WORK/classes" Children)
check "retrace record of the tree exits 0 and saves it" sh -c \
  '[ "$1" = 0 ] && grep -q "^retrace record: saved " "$2" || { echo "exit $1"; cat "$2"; false; }' - "$status" "$WORK/rec.err"
check "recorded: the shell and both JVMs ran" sh -c \
  'grep -q "^shell: pid" "$1" && grep -q "^the direct JVM exited 0$" "$1" && grep -q "^the JVM through sh exited 0$" "$1"' \
  - "$WORK/rec.out"
check_tree "retrace record" "$WORK/tree.retrace" "$WORK/rec.out" null
# The JVM prints "Picked up JAVA_TOOL_OPTIONS: ..." for a variable it sees: the root and the direct
# JVM see none; only the JVM behind the shell, which the agent reaches through the variable, does.
check "retrace record: the root and the direct JVM print no 'Picked up' line; the JVM behind the shell prints one" \
  sh -c '[ "$(grep -c "^Picked up JAVA_TOOL_OPTIONS: " "$1")" = 1 ] &&
         grep -q "^Picked up JAVA_TOOL_OPTIONS: -agentpath:[^ ]*libretrace.so=record,tape=$2$" "$1" || { cat "$1"; false; }' \
  - "$WORK/rec.err" "$WORK/tree.retrace"
check "retrace record: the root's replay prints nothing on stderr" sh -c '[ ! -s "$1" ] || { cat "$1"; false; }' - \
  "$WORK/tree.retrace.replay.err"

# 2. The user's own JAVA_TOOL_OPTIONS=-Dx=y: kept for every JVM, recorded and replayed.
status=$(status_of "$WORK/jto.out" "$WORK/jto.err" env JAVA_TOOL_OPTIONS=-Dx=y "$RETRACE" record \
  --java "$JDK/bin/java" -o "$WORK/jto.retrace" -- -cp "$WORK/classes" Children)
check "with JAVA_TOOL_OPTIONS=-Dx=y: retrace record exits 0" test "$status" = 0
check_tree "with JAVA_TOOL_OPTIONS=-Dx=y" "$WORK/jto.retrace" "$WORK/jto.out" y
# (retrace itself runs on a JVM, which prints the line too: 3 lines of the user's variable alone.)
check "with JAVA_TOOL_OPTIONS=-Dx=y: the JVMs print the user's variable, the one behind the shell with the agent after it" \
  sh -c '[ "$(grep -cx "Picked up JAVA_TOOL_OPTIONS: -Dx=y" "$1")" = 3 ] &&
         grep -q "^Picked up JAVA_TOOL_OPTIONS: -Dx=y -agentpath:[^ ]*libretrace.so=record,tape=" "$1" || { cat "$1"; false; }' \
  - "$WORK/jto.err"
check "with JAVA_TOOL_OPTIONS=-Dx=y: the root's replay prints the root's 'Picked up' line as recorded" sh -c \
  '[ "$(cat "$1")" = "Picked up JAVA_TOOL_OPTIONS: -Dx=y" ] && [ "$(head -1 "$2")" = "Picked up JAVA_TOOL_OPTIONS: -Dx=y" ] ||
   { cat "$1"; false; }' - "$WORK/jto.retrace.replay.err" "$WORK/jto.err"
for what in direct shell; do
  pid=$(pid_printing "$what" "$WORK/jto.out")
  check "with JAVA_TOOL_OPTIONS=-Dx=y: the $what JVM's .bin replays with the user's variable alone" sh -c \
    '[ "$(cat "$1")" = "Picked up JAVA_TOOL_OPTIONS: -Dx=y" ] || { cat "$1"; false; }' - "$WORK/jto.d/$what.err"
done

# 2b. `retrace install`'s agent in the user's JAVA_TOOL_OPTIONS (loaded, idle without
# RETRACE_RECORDING): retrace record still records the whole tree.
agent=$(dirname "$RETRACE")/../lib/libretrace.so
status=$(status_of "$WORK/idle.out" "$WORK/idle.err" env -u RETRACE_RECORDING JAVA_TOOL_OPTIONS="-agentpath:$agent" \
  "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/idle.retrace" -- -cp "$WORK/classes" Children)
pids_of "$WORK/idle.retrace" "$WORK/idle.pids"
check "with retrace install's idle agent in JAVA_TOOL_OPTIONS: retrace record records the 3 JVMs" sh -c \
  '[ "$1" = 0 ] && [ "$(wc -l <"$2")" = 3 ] || { echo "exit $1"; cat "$2" "$3"; false; }' - "$status" "$WORK/idle.pids" "$WORK/idle.err"
status=$(status_of "$WORK/idle.replay.out" "$WORK/idle.replay.err" unshare -n "$WORK/idle.retrace")
check "with retrace install's idle agent: the replay, offline, prints the tree as recorded" sh -c \
  '[ "$1" = 0 ] && cmp -s "$2" "$3"' - "$status" "$WORK/idle.out" "$WORK/idle.replay.out"

# 3. The raw agent on the command line, no retrace record: the tree records too.
(cd "$WORK" && env -u JAVA_TOOL_OPTIONS "$JDK/bin/java" -agentpath:"$agent"=record,tape=raw.retrace -cp classes Children \
  >"$WORK/raw.out" 2>"$WORK/raw.err")
check "-agentpath with a relative tape: the 3 JVMs record into that one file" sh -c \
  '[ "$("$1" --recording "$2" --list_pids | wc -l)" = 3 ]' - "$RETRACE" "$WORK/raw.retrace"
status=$(status_of "$WORK/raw.replay.out" "$WORK/raw.replay.err" unshare -n "$WORK/raw.retrace")
check "-agentpath: its replay, offline, prints the tree as recorded" sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' - \
  "$status" "$WORK/raw.out" "$WORK/raw.replay.out"

# 4. --no-children: the root only, as before.
status=$(status_of "$WORK/alone.out" "$WORK/alone.err" env -u JAVA_TOOL_OPTIONS "$RETRACE" record --no-children \
  --java "$JDK/bin/java" -o "$WORK/alone.retrace" -- -cp "$WORK/classes" Children)
pids_of "$WORK/alone.retrace" "$WORK/alone.pids"
check "--no-children: the children ran, --list_pids lists the root only" sh -c \
  '[ "$1" = 0 ] && grep -q "^the JVM through sh exited 0$" "$2" && [ "$(cat "$3")" = "$(sed -n "s/^root JVM: .*, pid \([0-9]*\), .*/\1/p" "$2")" ]' \
  - "$status" "$WORK/alone.out" "$WORK/alone.pids"
check "--no-children: no JVM prints a 'Picked up' line" sh -c '! grep -q "Picked up" "$1"' - "$WORK/alone.err"
check_replay "--no-children: the replay prints what was recorded" "$WORK/alone.retrace" "$WORK/alone.out"

# 5. --save-on failure: the children's exit 0 does not delete the tree's recording; the root decides.
status=$(status_of "$WORK/fail.out" "$WORK/fail.err" "$RETRACE" record --save-on failure --java "$JDK/bin/java" \
  -o "$WORK/fail.retrace" -- -cp "$WORK/classes" Children --exit=3)
pids_of "$WORK/fail.retrace" "$WORK/fail.pids"
check "--save-on failure, the root exits 3 after its children exit 0: the recording is kept, with the 3 JVMs" sh -c \
  '[ "$1" = 3 ] && [ "$(wc -l <"$2")" = 3 ] && [ "$(stat -c %a "$3")" = 700 ] || { echo "exit $1"; cat "$2.err"; false; }' \
  - "$status" "$WORK/fail.pids" "$WORK/fail.retrace"
status=$(status_of "$WORK/fail.replay.out" "$WORK/fail.replay.err" unshare -n "$WORK/fail.retrace")
check "--save-on failure: the replay exits 3 and prints what was recorded" sh -c '[ "$1" = 3 ] && cmp -s "$2" "$3"' - \
  "$status" "$WORK/fail.out" "$WORK/fail.replay.out"
status=$(status_of "$WORK/pass.out" "$WORK/pass.err" "$RETRACE" record --save-on failure --java "$JDK/bin/java" \
  -o "$WORK/pass.retrace" -- -cp "$WORK/classes" Children)
check "--save-on failure, the root exits 0: no recording kept" sh -c \
  '[ "$1" = 0 ] && [ ! -e "$2" ] && grep -q "^retrace record: no recording kept" "$3"' - "$status" "$WORK/pass.retrace" "$WORK/pass.err"
