# Clocks (also from a JIT-compiled hot loop), every JDK source of randomness, the Set.of salt,
# the environment, user.name and temp file names: plain runs differ; each recording replays
# byte for byte, with another environment.
RETRACE_SCENARIO_MARK=plain-$RANDOM plain "$WORK/plain1.out" Nondeterminism
RETRACE_SCENARIO_MARK=plain-$RANDOM plain "$WORK/plain2.out" Nondeterminism
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
for item in currentTimeMillis nanoTime Instant.now "nanoTime loop hash" "Random " ThreadLocalRandom SplittableRandom Math.random UUID SecureRandom "temp file "; do
  a=$(grep "^$item" "$WORK/plain1.out")
  b=$(grep "^$item" "$WORK/plain2.out")
  if [ -n "$a" ] && [ "$a" != "$b" ]; then pass "plain runs differ in: $item"; else fail "plain runs differ in: $item" "$a | $b"; fi
done
orders=$(for i in 1 2 3 4 5 6; do plain "$WORK/order.out" Nondeterminism >/dev/null; grep '^Set.of' "$WORK/order.out"; done | sort -u | wc -l)
if [ "$orders" -gt 1 ]; then pass "Set.of iteration order varies between plain runs ($orders orders in 6 runs)"; else fail "Set.of iteration order varies between plain runs"; fi

for i in $(seq 1 10); do
  RETRACE_SCENARIO_MARK=recorded-$i-$RANDOM record "$WORK/run$i.retrace" "$WORK/rec$i.out" -- -cp "$WORK/classes" Nondeterminism
  status=$?
  [ $status -eq 0 ] || fail "recording $i exits 0" "$(cat "$WORK/rec$i.out.err")"
  RETRACE_SCENARIO_MARK=replayed-elsewhere check_replay "recording $i replays byte-identical" "$WORK/run$i.retrace" "$WORK/rec$i.out"
done
check_differs "two recordings differ from each other" "$WORK/rec1.out" "$WORK/rec2.out"
grep -q "^env RETRACE_SCENARIO_MARK recorded-1-" "$WORK/run1.retrace.replay.out" && pass "replay answers getenv from the recording" || fail "replay answers getenv from the recording"
events=$("$RETRACE" summary "$WORK/run1.retrace" | grep -E 'java.lang.System.nanoTime\(\)J' | grep -oE '[0-9]+' | head -1)
if [ "${events:-0}" -ge 5000000 ]; then pass "every nanoTime of the hot loop is on the tape ($events)"; else fail "every nanoTime of the hot loop is on the tape" "summary counted ${events:-none}"; fi
