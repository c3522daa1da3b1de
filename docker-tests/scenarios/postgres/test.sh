# JDBC against a real PostgreSQL replays with the server stopped and no network: pgjdbc creates a
# table, inserts rows stamped by the server's now() and random(), rolls a transaction back and
# gets an SQL error. Plain runs differ (backend pid, client port, clock, random); the replay runs
# under unshare -n after pg_ctl stop, prints the recording byte for byte and connects to nothing.
. "$SCENARIO_DIR/../../postgres.sh"
if ! jar=$(pgjdbc_jar 2>"$WORK/mvn.log"); then
  fail "pgjdbc $PGJDBC_VERSION from Maven" "$(tail -20 "$WORK/mvn.log")"
  return 0
fi
if ! pg_start "$WORK/pg" 2>"$WORK/pg.log"; then
  fail "PostgreSQL starts on 127.0.0.1" "$(tail -20 "$WORK/pg.log")"
  pg_stop
  return 0
fi
port=$pg_port

cp=$WORK/classes:$jar
"$JDK/bin/java" -cp "$cp" Jdbc "$port" >"$WORK/plain1.out" 2>"$WORK/plain1.out.err"
"$JDK/bin/java" -cp "$cp" Jdbc "$port" >"$WORK/plain2.out" 2>"$WORK/plain2.out.err"
check_differs "plain runs differ (backend pid, client port, now(), random())" "$WORK/plain1.out" "$WORK/plain2.out"
status=0
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$cp" Jdbc "$port" || status=$?
pg_stop
check "the recording exits 0" test "$status" = 0
check "the recording read back the rows" grep -q "^rows: 3$" "$WORK/rec.out"
check "the recording saw the rollback" grep -q "^after rollback: 3 rows$" "$WORK/rec.out"
check "the recording saw the failing query (42P01)" grep -q "^failing query: SQLState 42P01: .*no_such_table" "$WORK/rec.out"
check "the server is stopped" sh -c '! runuser -u postgres -- "$0" -D "$1" status' "$pg_bin/pg_ctl" "$pg_dir/data"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
