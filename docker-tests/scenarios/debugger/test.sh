# A replay debugged forwards with jdb (./FILE --debug PORT): a breakpoint, the locals with the
# recorded values, evaluations that call toString(), a pause longer than replay's 10 s wait for a
# thread, then cont; on JDK 17 the replay still ends byte-identical with the recorded exit status.
# Then a JDI client invokes size(), get(0) and toString() on the same breakpoint. Both on JDK 17
# and 25, where the debugger's object ids give objects identity hashes (docs/debugging.md).
plain "$WORK/plain1.out" Race
plain "$WORK/plain2.out" Race
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/race.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Race
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
status_file=$WORK/replay.status
( status=0; "$WORK/race.retrace" --debug "$port" >"$WORK/debugged.out" 2>"$WORK/debugged.err" || status=$?
  echo "$status" >"$status_file" ) &
for _ in $(seq 50); do grep -q "waits for a debugger" "$WORK/debugged.err" 2>/dev/null && break; sleep 0.2; done
check "the replay says where the debugger attaches" grep -q "waits for a debugger at 127.0.0.1:$port" "$WORK/debugged.err"
sleep 1
(cd "$SCENARIO_DIR" && timeout 180 python3 jdb_session.py "$JDK/bin/jdb" "$port" session.jdb) >"$WORK/jdb.out" 2>&1
for _ in $(seq 300); do [ -s "$status_file" ] && break; sleep 0.2; done
check "the debugged replay ends" test -s "$status_file"
seed=$(sed -n 's/.* seed \([0-9]*\)$/\1/p' "$WORK/rec.out")
check "jdb stops at the breakpoint in main" grep -q 'Breakpoint hit: "thread=main", Race.main(), line=22' "$WORK/jdb.out"
check "the local seed has the recorded value ($seed)" grep -q "^seed = $seed\$" "$WORK/jdb.out"
check "print calls toString on the recorded points" grep -q "points = \"\\[Point\\[x=" "$WORK/jdb.out"
check "dump shows a record's fields" grep -A2 "points.get(0) = {" "$WORK/jdb.out"
check "jdb saw the program end" grep -q "The application exited" "$WORK/jdb.out"
check "the debugged replay exits as the recording did (got $(cat "$status_file"))" test "$(cat "$status_file")" = 0
check_same "the debugged replay prints what the recording printed" "$WORK/rec.out" "$WORK/debugged.out"
# A JDI client, as IDEs are: invokeMethod of size(), get(0) and toString() at the breakpoint.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -f "$status_file"
( status=0; "$WORK/race.retrace" --debug "$port" >"$WORK/jdi-replay.out" 2>"$WORK/jdi-replay.err" || status=$?
  echo "$status" >"$status_file" ) &
for _ in $(seq 50); do grep -q "waits for a debugger" "$WORK/jdi-replay.err" 2>/dev/null && break; sleep 0.2; done
timeout 120 "$JDK/bin/java" -cp "$WORK/classes" JdiClient "$port" Race 22 >"$WORK/jdi.out" 2>&1
for _ in $(seq 300); do [ -s "$status_file" ] && break; sleep 0.2; done
first=$(sed -n 's/^points \[\(Point\[[^]]*\]\).*/\1/p' "$WORK/rec.out")
check "the JDI client stops at the breakpoint" grep -q "^stopped at Race:22 in main$" "$WORK/jdi.out"
check "invokeMethod size() answers 3" grep -q "^points.size() = 3$" "$WORK/jdi.out"
check "invokeMethod get(0).toString() answers the recorded first point ($first)" \
  grep -qF "points.get(0).toString() = \"$first\"" "$WORK/jdi.out"
check "the JDI client saw the program end" grep -q "^the program ended$" "$WORK/jdi.out"
check "that replay exits as the recording did (got $(cat "$status_file" 2>/dev/null))" test "$(cat "$status_file" 2>/dev/null)" = 0
check_same "that replay prints what the recording printed" "$WORK/rec.out" "$WORK/jdi-replay.out"
# What would change the replay's state is refused (the launcher's JDWP guard): the JDI client asks
# to set a local and a static field and to pop a frame; each is refused, the replay says so on
# stderr, and it still ends as recorded.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -f "$status_file"
( status=0; "$WORK/race.retrace" --debug "$port" >"$WORK/changes-replay.out" 2>"$WORK/changes-replay.err" || status=$?
  echo "$status" >"$status_file" ) &
for _ in $(seq 50); do grep -q "waits for a debugger" "$WORK/changes-replay.err" 2>/dev/null && break; sleep 0.2; done
timeout 120 "$JDK/bin/java" -cp "$WORK/classes" JdiClient "$port" Race 22 --try-changes >"$WORK/changes.out" 2>&1
for _ in $(seq 300); do [ -s "$status_file" ] && break; sleep 0.2; done
check "the debugger is told the replay cannot redefine classes, pop frames or force returns" sh -c \
  'grep -q "^can redefine classes false, pop frames false, force early return false$" "$1" || { cat "$1"; exit 1; }' - \
  "$WORK/changes.out"
check "setting a local is refused" grep -q "^set the local seed: refused" "$WORK/changes.out"
check "setting a static field is refused" grep -q "^set the static counter: refused" "$WORK/changes.out"
check "popping a frame is refused" grep -q "^pop the frame: refused" "$WORK/changes.out"
check "the replay says what it refused" grep -q "the debugger asked for StackFrame.SetValues (set a local variable): refused" \
  "$WORK/changes-replay.err"
check "after the refusals the replay exits as the recording did (got $(cat "$status_file" 2>/dev/null))" \
  test "$(cat "$status_file" 2>/dev/null)" = 0
check_same "after the refusals the replay prints what the recording printed" "$WORK/rec.out" "$WORK/changes-replay.out"
