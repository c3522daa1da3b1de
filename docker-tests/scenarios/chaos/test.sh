# record --chaos catches a rare race: LazyInit loses an unsynchronised lazy initialisation (two
# threads construct, exit 1) rarely in plain runs, and almost never in plain --preempt recordings,
# whose 2 ms time slices seldom end inside its window. "Record until it fails" with --chaos
# --save-on failure catches it within 20 recorded runs in at least 9 of 10 tries, and each caught
# recording replays the failure 3 times identically (the third offline).
PLAIN_RUNS=100
TRIES=10
MAX_RUNS=20
PREEMPT_RUNS=5 # only reported: how often plain --preempt recordings lose the race

plain_failures=0
for i in $(seq 1 $PLAIN_RUNS); do
  plain "$WORK/plain$i.out" LazyInit || plain_failures=$((plain_failures + 1))
done
check_differs "plain runs differ (clock readings)" "$WORK/plain1.out" "$WORK/plain2.out"
check "plain runs lose the race rarely ($plain_failures of $PLAIN_RUNS)" test "$plain_failures" -le $((PLAIN_RUNS / 20))

preempt_failures=0
for i in $(seq 1 $PREEMPT_RUNS); do
  record "$WORK/preempt.retrace" "$WORK/preempt$i.out" --preempt -- -cp "$WORK/classes" LazyInit ||
    preempt_failures=$((preempt_failures + 1))
done
echo "       $JDK_NAME: --preempt recordings lost the race in $preempt_failures of $PREEMPT_RUNS"

caught=0
runs=()
bad=""
for t in $(seq 1 $TRIES); do
  tape=$WORK/try$t.retrace
  rm -f "$tape"
  for n in $(seq 1 $MAX_RUNS); do
    status=0
    timeout -k 10 120 "$RETRACE" record --chaos --save-on failure --java "$JDK/bin/java" -o "$tape" -- \
      -cp "$WORK/classes" LazyInit >"$WORK/try$t.out" 2>"$WORK/try$t.err" || status=$?
    if [ $status -ne 0 ]; then
      [ $status -eq 1 ] && [ -f "$tape" ] || bad+="try $t run $n: exit $status, saved: $([ -f "$tape" ] && echo yes || echo no): $(head -3 "$WORK/try$t.err")"$'\n'
      break
    fi
    [ -e "$tape" ] && bad+="try $t run $n: exit 0, and --save-on failure kept the recording"$'\n'
  done
  runs+=("$n")
  [ -f "$tape" ] || continue
  caught=$((caught + 1))
  first=${first:-$t}
  # The three replays run side by side: what is measured (how often runs lose the race) runs
  # alone, and a replay follows its recording whatever runs beside it.
  status_of "$WORK/try$t.rep1.out" "$WORK/try$t.rep1.err" "$tape" >"$WORK/try$t.rep1.status" &
  first_replay=$!
  status_of "$WORK/try$t.rep2.out" "$WORK/try$t.rep2.err" "$tape" >"$WORK/try$t.rep2.status" &
  second_replay=$!
  status_of "$WORK/try$t.rep3.out" "$WORK/try$t.rep3.err" unshare -n "$tape" >"$WORK/try$t.rep3.status"
  wait $first_replay $second_replay
  for k in 1 2 3; do
    status=$(cat "$WORK/try$t.rep$k.status")
    if [ "$status" -ne 1 ] || ! cmp -s "$WORK/try$t.out" "$WORK/try$t.rep$k.out"; then
      bad+="try $t, replay $k: exit $status, $(diff "$WORK/try$t.out" "$WORK/try$t.rep$k.out" | head -4)"$'\n'
      bad+="$(head -5 "$WORK/try$t.rep$k.err")"$'\n'
    fi
  done
done
check "record --chaos --save-on failure caught the race within $MAX_RUNS runs in $caught of $TRIES tries (runs: ${runs[*]})" \
  test "$caught" -ge $((TRIES - 1))
if [ -z "$bad" ]; then
  pass "every caught recording replays the failure 3 times identically (exit 1), the third offline"
else
  fail "every caught recording replays the failure 3 times identically" "$bad"
fi
check "a caught recording shows the two configurations" grep -q "^two configurations: " "$WORK/try${first:-1}.out"
