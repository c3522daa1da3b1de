# A failed Maven test run is a recording; a green one leaves none (docs/test-runs.md). fixture/ is a
# Maven project: FlakyTest has a test that always passes and one that fails about one run in three,
# LedgerTest 34 ordinary ones. Plain `mvn test` runs (no agent) first show that the suite's outcome
# varies. Then the script of `bin/retrace demo-test` runs the suite with the agent in Surefire's
# fork until it fails, and replays the failure three times offline, each printing the failure line
# and the per-class and total counts that Maven printed. Here those replays are checked once more,
# under strace: no network, no file created (LedgerTest writes a temp file when recorded).
mvn_test() { # mvn_test PROJECT LOG [MAVEN ARGS]: exit status of `mvn test` on this scenario's JDK
  local project=$1 log=$2 status=0
  shift 2
  (cd "$project" && JAVA_HOME=$JDK mvn -B -ntp "$@" test) >"$log" 2>&1 || status=$?
  echo "$status"
}
cp -r "$SCENARIO_DIR/fixture" "$WORK/plain"
greens=0 reds=0 runs=0
for run in $(seq 20); do
  runs=$run
  if [ "$(mvn_test "$WORK/plain" "$WORK/plain$run.log")" = 0 ]; then
    greens=$((greens + 1))
  elif grep -q "FlakyTest.shardPlanIsBalanced:[0-9]* shard 0 got load" "$WORK/plain$run.log"; then
    reds=$((reds + 1))
  else
    fail "plain run $run of the suite" "$(tail -30 "$WORK/plain$run.log")"
    return 0
  fi
  [ "$greens" -gt 0 ] && [ "$reds" -gt 0 ] && break
done
check "plain runs of the suite differ ($greens passed, $reds failed of $runs)" test "$greens" -gt 0 -a "$reds" -gt 0

demo=$WORK/demo
status=$(status_of "$WORK/demo.out" "$WORK/demo.err" "$SCENARIO_DIR/demo" --dir "$demo" --java-home "$JDK")
check "demo-test records until the suite fails and replays it 3 times: exit 0" test "$status" = 0
[ "$status" = 0 ] || { echo "$(tail -30 "$WORK/demo.err")" | sed 's/^/       /'; return 0; }
tape=$demo/project/target/failed-tests.retrace
check "the failed run kept its recording" test -x "$tape"
check "Maven reported the failure" grep -q "shard 0 got load [0-9]* ==> expected: not equal but was: <0>" \
  "$demo/maven-failures.txt"
check "Maven reported counts per class and in all" test "$(wc -l <"$demo/maven-counts.txt")" = 3
for i in 1 2 3; do
  check_same "replay $i prints Maven's failure line" "$demo/maven-failures.txt" "$demo/replay$i-failures.txt"
  check_same "replay $i prints Maven's counts" "$demo/maven-counts.txt" "$demo/replay$i-counts.txt"
done
check_same "the three replays print the same report, stack traces included" "$demo/replay1.err" "$demo/replay3.err"
check "a replay shows the failure's stack trace" grep -q $'^retrace: \tat demo.FlakyTest.shardPlanIsBalanced(FlakyTest.java:' \
  "$demo/replay1.err"

# Green runs with the agent leave nothing (the demo stops at the first failure: make sure of one).
mv "$tape" "$WORK/failed.retrace"
tape=$WORK/failed.retrace
greens=$(grep -c "passed (.*); nothing kept" "$WORK/demo.out" || true)
for run in $(seq 15); do
  [ "$greens" -gt 0 ] && break
  status=$(mvn_test "$demo/project" "$WORK/recorded$run.log" -Dretrace.agent="$(dirname "$RETRACE")/../lib/libretrace.so")
  if [ "$status" = 0 ]; then
    greens=$((greens + 1))
    check "a green run with the agent leaves no recording" test ! -e "$demo/project/target/failed-tests.retrace"
  fi
  rm -f "$demo/project/target/failed-tests.retrace"
done
check "green runs with the agent were seen ($greens)" test "$greens" -gt 0

strace -f -qq -o "$WORK/strace.log" -e trace="$FILE_CHANGES,connect,sendto,sendmsg" unshare -n "$tape" \
  >"$WORK/strace.out" 2>"$WORK/strace.err"
check_same "replay under strace prints the same report" "$demo/replay1.err" "$WORK/strace.err"
check_changes_nothing "replay creates, changes and deletes nothing (strace)" "$WORK/strace.log"
check "replay connects to and sends to nothing (strace)" sh -c '! grep -E "AF_INET|sin_port|sendto\(|sendmsg\(" "$1"' - "$WORK/strace.log"
check "replay shows none of Surefire's channel on stdout" test ! -s "$WORK/strace.out"

# `retrace why` on the failed run: the failed test, the assertion at its first throw with its values,
# and the test method's own locals: the load the message names is the test's `load` local.
status=$(status_of "$WORK/why.out" "$WORK/why.err" "$RETRACE" why "$tape")
check "retrace why on the failed run exits as the fork did (0)" test "$status" = 0
check "retrace why names the failed test" grep -qx "  FAILED demo.FlakyTest.shardPlanIsBalanced()" "$WORK/why.out"
load=$(sed -n 's/^org.opentest4j.AssertionFailedError: shard 0 got load \([0-9]*\) ==> expected: not equal but was: <0>$/\1/p' \
  "$WORK/why.out" | head -1)
check "retrace why gives the assertion and its message (load $load)" test -n "$load"
check "retrace why shows the assertion's values and the test's locals" sh -c \
  'awk "/^  at org.junit.jupiter.api.AssertNotEquals.assertNotEquals/ { on = 1 } on && /^  at demo.FlakyTest/ { exit }
        on" "$1" | grep -qx "      unexpected = 0" &&
   awk "/^  at demo.FlakyTest.shardPlanIsBalanced\(FlakyTest.java:[0-9]*\)$/ { on = 1; next } on && /^  at / { exit } on" "$1" |
     grep -qx "      load = $2"' - "$WORK/why.out" "$load"
check "retrace why reports the failure once, though JUnit rethrows it" \
  test "$(grep -c '^org.opentest4j.AssertionFailedError' "$WORK/why.out")" = 1
