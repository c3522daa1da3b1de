# A recording whose schedule of hand-overs was tampered with: the replay stops with exit 120 and
# a report that names the threads, within a bounded time, never a hang and never a Java stack trace.
# The program: main (thread 0) starts "ping" and "pong", which take turns through a monitor while
# main waits in join, so the middle of the schedule is hand-overs between ping and pong.
plain "$WORK/plain1.out" PingPong
plain "$WORK/plain2.out" PingPong
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/good.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" PingPong
status=$(status_of "$WORK/good.out" "$WORK/good.err" timeout -k 10 60 "$WORK/good.retrace")
if [ "$status" = 0 ] && cmp -s "$WORK/rec.out" "$WORK/good.out"; then
  pass "the untampered recording replays byte-identical"
else
  fail "the untampered recording replays byte-identical (exit $status)" "$(diff "$WORK/rec.out" "$WORK/good.out" | head; head -5 "$WORK/good.err")"
fi
"$RETRACE" summary "$WORK/good.retrace" >"$WORK/summary.out" 2>&1
handovers=$(sed -n 's/.*[Hh]and-overs: *\([0-9][0-9]*\).*/\1/p' "$WORK/summary.out" | head -1)
check "the recording has hand-overs (${handovers:-none})" test "${handovers:-0}" -ge 10
k=$(( ${handovers:-20} / 2 ))
tamper=$(dirname "$RETRACE")/../../tape-format/tamper_tape

# tampered_replay NAME TAMPER-OPTIONS...: rewrites the recording with TAMPER-OPTIONS, replays it under
# a timeout, and checks exit 120, a report naming the threads, and no Java stack trace.
tampered_replay() {
  local name=$1 base status start seconds report
  base=$WORK/${name// /-}
  shift
  if ! "$tamper" "$WORK/good.retrace" "$base.retrace" "$@" >"$base.tamper.log" 2>&1; then
    fail "tamper_tape $*" "$(cat "$base.tamper.log")"
    return
  fi
  start=$(date +%s)
  status=$(status_of "$base.out" "$base.err" timeout -k 10 60 "$base.retrace")
  seconds=$(( $(date +%s) - start ))
  report=$(head -c 2000 "$base.err")
  if [ "$status" = 120 ]; then
    pass "hand-over $k $name: the replay exits 120 (after ${seconds} s)"
  else
    fail "hand-over $k $name: the replay exits 120 (got $status after ${seconds} s)" "$report"
  fi
  if grep -qE 'thread [0-9]+' "$base.err"; then
    pass "hand-over $k $name: the report names the threads"
  else
    fail "hand-over $k $name: the report names the threads" "$report"
  fi
  if no_stack_trace "$base.err"; then
    pass "hand-over $k $name: no Java stack trace or JVM crash on stderr"
  else
    fail "hand-over $k $name: no Java stack trace or JVM crash on stderr" "$report"
  fi
}

# Hand-over k goes from ping to pong or back; main (thread 0) is blocked in join then, so giving
# it the baton is a change whichever way it went.
tampered_replay "given to main" --handover "$k" --to 0
tampered_replay "dropped" --handover "$k" --drop
