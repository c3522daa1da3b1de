# A failed test run is a recording; a green one leaves none. A JUnit 5 class with one test that
# fails about one run in three (chance decides a shard's load) runs under the JUnit console launcher
# with the agent's save_on=failure, until it fails. Every green run leaves no file; the failed run's
# recording replays three times with the same failure message and test report, and exit status 1.
# (The test class is the surefire scenario's FlakyTest: it needs JUnit to compile, so it lives in
# that scenario's Maven fixture, outside the scenarios' sources.)
console=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.12.2/junit-platform-console-standalone-1.12.2.jar
[ -f "$console" ] || mvn -B -q -ntp dependency:get \
  -Dartifact=org.junit.platform:junit-platform-console-standalone:1.12.2 >"$WORK/mvn.log" 2>&1
if [ ! -f "$console" ]; then
  fail "the JUnit console launcher from Maven" "$(tail -20 "$WORK/mvn.log")"
  return 0
fi
mkdir -p "$WORK/tests"
"$JDK17/bin/javac" --release 17 -cp "$console" -d "$WORK/tests" \
  "$SCENARIO_DIR"/../surefire/fixture/src/test/java/demo/FlakyTest.java
agent=$(dirname "$RETRACE")/../lib/libretrace.so
greens=0
failed=
for run in $(seq 30); do
  status=0
  "$JDK/bin/java" -agentpath:"$agent=record,tape=$WORK/run$run.retrace,save_on=failure" -jar "$console" execute \
    -cp "$WORK/tests" --select-class demo.FlakyTest --disable-banner --disable-ansi-colors --details=tree \
    >"$WORK/run$run.out" 2>"$WORK/run$run.err" || status=$?
  if [ "$status" = 0 ]; then
    [ -e "$WORK/run$run.retrace" ] && { fail "green run $run left a recording"; break; }
    greens=$((greens + 1))
  else
    failed=$run
    [ "$greens" -gt 0 ] && break
  fi
done
check "green runs leave no recording ($greens of them)" test "$greens" -gt 0
if [ -z "$failed" ]; then
  fail "no run failed in 30 (the test fails about one run in three)"
  return 0
fi
check "the failed run (exit 1) kept its recording" test -x "$WORK/run$failed.retrace"
check "the recorded run reported the failure" \
  grep -q "shardPlanIsBalanced() ✘ shard 0 got load [0-9]* ==> expected: not equal but was: <0>" "$WORK/run$failed.out"
for replay in 1 2 3; do
  status=$(status_of "$WORK/replay$replay.out" "$WORK/replay$replay.err" "$WORK/run$failed.retrace")
  check "replay $replay exits 1, as the test run did" test "$status" = 1
  check_same "replay $replay prints the same failure and test report" "$WORK/run$failed.out" "$WORK/replay$replay.out"
done
