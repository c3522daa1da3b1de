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

# `retrace why` (the demo's step 3) on the failed run: the exception, the locals that made it, and
# the clock readings that seeded ThreadLocalRandom, read from the replay, not written by the demo.
why=$WORK/demo/why.out
tape=$WORK/demo/shard-planner.retrace
check "retrace why names the exception nothing caught" grep -qx "java.lang.ArithmeticException: / by zero" "$why"
check "retrace why shows the failing frame and its locals shards = 1 and working = 0" sh -c \
  'grep -qx "  at ShardPlanner.main(ShardPlanner.java:16)" "$1" && grep -qx "      shards = 1" "$1" &&
   grep -qx "      working = 0" "$1" && grep -qx "      orders = 10000" "$1"' - "$why"
# Each clock reading it shows is the recorded event of that index, with ThreadLocalRandom on its stack.
"$RETRACE" print "$tape" >"$WORK/print.out" 2>&1
seeds=$(grep -A1 -E '^    #[0-9]+  java.lang.System.(nanoTime|currentTimeMillis)' "$why" | grep -c 'ThreadLocalRandom' || true)
check "retrace why shows the clock readings that seeded ThreadLocalRandom ($seeds)" test "$seeds" -ge 2
mismatched="" compared=0
while read -r index call value; do
  compared=$((compared + 1))
  grep -qE "^  main #$index +$(printf '%s' "$call" | sed 's/[][().$]/\\&/g') = $value\$" "$WORK/print.out" ||
    mismatched="$mismatched #$index"
done < <(sed -n 's/^    #\([0-9]*\)  \([^ ]*\) = \([-0-9]*\)$/\1 \2 \3/p' "$why")
check "each event retrace why shows is the recorded one (retrace print; $compared compared)" \
  test -z "$mismatched" -a "$compared" -ge 3
status=$(status_of "$WORK/why.json" "$WORK/why.json.err" "$RETRACE" why --json "$tape")
check "retrace why --json exits with the program's status (1)" test "$status" = 1
check "retrace why --json holds the locals by name and value" sh -c \
  'grep -A2 "\"name\" : \"working\"" "$1" | grep -q "\"value\" : \"0\"" &&
   grep -A2 "\"name\" : \"shards\"" "$1" | grep -q "\"value\" : \"1\""' - "$WORK/why.json"
# A run that passed: nothing to explain.
for i in 1 2 3 4 5 6 7 8; do
  "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/passed.retrace" --force -- -cp "$WORK/classes" ShardPlanner \
    >/dev/null 2>&1 && break
done
status=$(status_of "$WORK/why-passed.out" "$WORK/why-passed.err" "$RETRACE" why "$WORK/passed.retrace")
check "retrace why on a run that passed says it did not fail, exit 0" sh -c \
  '[ "$1" = 0 ] && grep -q "^It did not fail" "$2"' - "$status" "$WORK/why-passed.out"
