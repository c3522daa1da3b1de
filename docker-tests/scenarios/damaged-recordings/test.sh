# Recordings cut short or with flipped bytes: summary names the problem in one line, replay fails
# cleanly (exit 122 unreadable or 123 incomplete), never a JVM crash or a stack trace. Damage in
# the last frame (the process end) loses only the exit status: such a replay runs to the end.
record "$WORK/good.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Ticker

# replay_fails_cleanly WHAT FILE: exit 122 or 123 with no stack trace, or, when only the end frame
# was hit, the whole recorded output and exit 0. Reports a failure and returns 1 otherwise.
replay_fails_cleanly() {
  local what=$1 file=$2 status
  status=$(status_of "$WORK/r.out" "$WORK/r.err" timeout 120 "$RETRACE" replay "$file")
  case "$status" in
    122|123) no_stack_trace "$WORK/r.err" && return 0
      fail "replay of a recording $what" "$(cat "$WORK/r.err")" ;;
    0) cmp -s "$WORK/r.out" "$WORK/rec.out" && return 0
      fail "replay of a recording $what in its end frame runs to the end" "$(tail -5 "$WORK/r.err")" ;;
    *) fail "replay of a recording $what exits 122 or 123" "exit $status: $(tail -5 "$WORK/r.err")" ;;
  esac
  return 1
}
size=$(stat -c %s "$WORK/good.retrace")
frames=$("$RETRACE" summary "$WORK/good.retrace" | sed -n 's/^ *Frames: *//p')
check "the recording has several frames ($frames)" test "${frames:-0}" -ge 3
offsets="0 1 2 10 40 80 100 150 $((size / 7)) $((size / 3)) $((size / 2)) $((size * 2 / 3)) $((size - 300)) $((size - 17)) $((size - 1))"
summary_bad=0 replay_bad=0 tested=0
for offset in $offsets; do
  tested=$((tested + 1))
  cut=$WORK/cut-$offset.retrace
  head -c "$offset" "$WORK/good.retrace" >"$cut"
  chmod 700 "$cut"
  status=$(status_of "$WORK/s.out" "$WORK/s.err" "$RETRACE" summary "$cut")
  if [ "$status" = 0 ] || ! one_line "$WORK/s.err" || ! no_stack_trace "$WORK/s.err" || ! no_stack_trace "$WORK/s.out"; then
    summary_bad=$((summary_bad + 1)); fail "summary of a recording cut at $offset: one line, exit 1" "exit $status: $(cat "$WORK/s.err")"
  fi
  replay_fails_cleanly "cut at $offset" "$cut" || replay_bad=$((replay_bad + 1))
done
[ $summary_bad = 0 ] && pass "summary names the problem in one line for $tested cut recordings"
[ $replay_bad = 0 ] && pass "replay fails cleanly for $tested cut recordings"
# One cut in the middle: the message says where reading stopped.
"$RETRACE" summary "$WORK/cut-$((size / 2)).retrace" >/dev/null 2>"$WORK/mid.err"
check "a cut recording's summary says it is incomplete and where" grep -qE "incomplete: .*offset [0-9]+" "$WORK/mid.err"
"$RETRACE" replay "$WORK/cut-$((size / 2)).retrace" >"$WORK/mid.out" 2>"$WORK/mid-replay.err"
check "a cut recording replays up to its end, then says so" grep -q "the replay reached the end of an incomplete recording" "$WORK/mid-replay.err"
check "what was replayed matches the recording so far" test "$(head -c "$(stat -c %s "$WORK/mid.out")" "$WORK/rec.out" | cmp - "$WORK/mid.out" && echo same)" = same

flip_bad=0 flips=0
for position in 100 $((size / 5)) $((size / 4)) $((size / 3)) $((size / 2)) $((size * 3 / 4)) $((size - 40)) $((size - 5)); do
  flips=$((flips + 1))
  bad=$WORK/flip-$position.retrace
  cp "$WORK/good.retrace" "$bad"
  flip_byte "$bad" "$position"
  status=$(status_of "$WORK/s.out" "$WORK/s.err" "$RETRACE" summary "$bad")
  if [ "$status" = 0 ] || ! one_line "$WORK/s.err" || ! grep -qE "corrupt|checksum|truncated|incomplete" "$WORK/s.err"; then
    flip_bad=$((flip_bad + 1)); fail "summary of a recording with byte $position flipped" "exit $status: $(cat "$WORK/s.err")"
  fi
  replay_fails_cleanly "with byte $position flipped" "$bad" || flip_bad=$((flip_bad + 1))
done
[ $flip_bad = 0 ] && pass "$flips recordings with a flipped byte: summary names the damage, replay fails cleanly"
ls "$WORK"/hs_err* /tmp/hs_err* 2>/dev/null | grep -q . && fail "no JVM crash file (hs_err_pid)" || pass "no JVM crash file (hs_err_pid)"
