# The quick start: `bin/retrace demo` records until the intermittent failure, then replays it
# three times with the same result.
for i in 1 2 3 4 5 6 7 8; do plain "$WORK/plain$i.out" ShardPlanner; done
distinct=$(cat "$WORK"/plain*.out | grep '^planning' | sort -u | wc -l)
[ "$distinct" -gt 1 ] && pass "plain runs pick different shard counts ($distinct in 8 runs)" || fail "plain runs pick different shard counts"
if RETRACE_JDK17=$JDK "$SCENARIO_DIR/demo" --dir "$WORK/demo" >"$WORK/demo.out" 2>"$WORK/demo.err"; then
  pass "the demo records a failure and replays it three times"
else
  fail "the demo records a failure and replays it three times" "$(tail -20 "$WORK/demo.out"; cat "$WORK/demo.err")"
fi
check "the failing recording shows the division by zero" grep -q "ArithmeticException: / by zero" "$WORK/demo.out"
check "three identical replays" test "$(grep -c 'same output, same exception' "$WORK/demo.out")" -eq 3
check "the demo names the value that caused it" grep -q "The autoscaler picked 1 shard(s)" "$WORK/demo.out"
