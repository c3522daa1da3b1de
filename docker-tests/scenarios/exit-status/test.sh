# save_on=failure keeps only failing runs (non-zero exit or an uncaught exception in main);
# replay reproduces the exit status and stderr; bad agent options stop the JVM with a clear line.
plain "$WORK/p1.out" ExitWith 0
plain "$WORK/p2.out" ExitWith 0
check_differs "two plain runs differ" "$WORK/p1.out" "$WORK/p2.out"
status=$(exit_status record "$WORK/ok.retrace" "$WORK/ok.out" --save-on failure -- -cp "$WORK/classes" ExitWith 0)
check "a passing run exits 0 (got $status)" test "$status" = 0
check "a passing run leaves no recording" test ! -e "$WORK/ok.retrace"
check "the CLI says no recording was kept" grep -q "no recording kept" "$WORK/ok.out.err"
status=$(exit_status record "$WORK/three.retrace" "$WORK/three.out" --save-on failure -- -cp "$WORK/classes" ExitWith 3)
check "System.exit(3) is kept" test "$status" = 3 -a -x "$WORK/three.retrace"
check "the recording is readable by its owner only (0700)" test "$(stat -c %a "$WORK/three.retrace")" = 700
status=$(exit_status replay "$WORK/three.retrace" "$WORK/three-replay.out")
check "its replay exits 3 (got $status)" test "$status" = 3
check_same "its replay prints the same" "$WORK/three.out" "$WORK/three-replay.out"
# retrace why on it: no exception, so the failure is the exit call, with the caller's locals (the
# clock reading the run printed).
status=$(status_of "$WORK/three.why" "$WORK/three.why.err" "$RETRACE" why "$WORK/three.retrace")
now=$(sed -n 's/^started at //p' "$WORK/three.out")
check "retrace why exits 3 as the run did (got $status)" test "$status" = 3
check "retrace why names the System.exit(3) call and where the program made it" sh -c \
  'grep -qx "System.exit(3)" "$1" && grep -qx "  at ExitWith.main(ExitWith.java:9)" "$1"' - "$WORK/three.why"
check "retrace why shows the caller's local now = $now, the recorded clock reading" grep -qx "      now = $now" "$WORK/three.why"
status=$(exit_status record "$WORK/throw.retrace" "$WORK/throw.out" --save-on failure -- -cp "$WORK/classes" ExitWith throw)
check "an uncaught exception in main is kept" test "$status" = 1 -a -x "$WORK/throw.retrace"
status=$(exit_status replay "$WORK/throw.retrace" "$WORK/throw-replay.out")
check "its replay exits 1 (got $status)" test "$status" = 1
grep -v '^retrace record:' "$WORK/throw.out.err" >"$WORK/throw.err.expected"
check_same "its replay prints the same exception to stderr" "$WORK/throw.err.expected" "$WORK/throw-replay.out.err"
agent=$("$RETRACE" agent-path)
status=$(status_of "$WORK/bad.out" "$WORK/bad.err" "$JDK/bin/java" "-agentpath:$agent=record,colour=blue" -cp "$WORK/classes" ExitWith 0)
check "an unknown agent option stops the JVM (exit $status)" test "$status" != 0
check "the agent names the unknown option" grep -q "^retrace: unknown option 'colour'" "$WORK/bad.err"
check "the program did not run" sh -c "! grep -q started \"$WORK/bad.out\""
# Without options (as `retrace install` loads it) the agent waits for RETRACE_RECORDING: none set,
# the program runs as without it and nothing is written.
mkdir -p "$WORK/none"
status=$(cd "$WORK/none" && env -u RETRACE_RECORDING "$JDK/bin/java" "-agentpath:$agent" -cp "$WORK/classes" ExitWith 0 \
  >"$WORK/none.out" 2>"$WORK/none.err"; echo $?)
check "no options and no RETRACE_RECORDING: the program runs and exits 0 (got $status)" \
  sh -c '[ "$1" = 0 ] && grep -q started "$2" && [ ! -s "$3" ]' - "$status" "$WORK/none.out" "$WORK/none.err"
check "and nothing is recorded" sh -c '[ -z "$(ls -A "$1")" ]' - "$WORK/none"
status=$(cd "$WORK/none" && RETRACE_RECORDING=a,b "$JDK/bin/java" "-agentpath:$agent" -cp "$WORK/classes" ExitWith 0 \
  >"$WORK/comma.out" 2>"$WORK/comma.err"; echo $?)
check "RETRACE_RECORDING with a comma stops the JVM with one line (exit $status)" \
  sh -c '[ "$1" != 0 ] && grep -q "^retrace: RETRACE_RECORDING may not contain a comma" "$2"' - "$status" "$WORK/comma.err"
