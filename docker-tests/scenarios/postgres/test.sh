# JDBC against a real PostgreSQL replays with the server stopped and no network: pgjdbc creates a
# table, inserts rows stamped by the server's now() and random(), rolls a transaction back and
# gets an SQL error. Plain runs differ (backend pid, client port, clock, random); the replay runs
# under unshare -n after pg_ctl stop, prints the recording byte for byte and connects to nothing.
jar=$HOME/.m2/repository/org/postgresql/postgresql/42.7.13/postgresql-42.7.13.jar
[ -f "$jar" ] || mvn -B -q -ntp dependency:get -Dartifact=org.postgresql:postgresql:42.7.13 >"$WORK/mvn.log" 2>&1
if [ ! -f "$jar" ]; then
  fail "pgjdbc 42.7.13 from Maven" "$(tail -20 "$WORK/mvn.log")"
  return 0
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ ! -x "$pgbin/initdb" ]; then
  fail "PostgreSQL is installed (bin/setup installs it)" "no /usr/lib/postgresql/*/bin/initdb"
  return 0
fi

# initdb and postgres refuse root: the cluster belongs to postgres, who must reach it through
# the runner's private directory (execute permission only).
pg=$WORK/pg
mkdir -p "$pg"
chmod o+x "$(dirname "$WORK")"
chown postgres: "$pg"
as_postgres() { runuser -u postgres -- "$@"; }
stop_server() { as_postgres "$pgbin/pg_ctl" -D "$pg/data" -m fast stop >>"$pg/ctl.log" 2>&1 || true; }
port=$("$JDK/bin/java" -cp "$WORK/classes" FreePort)
if ! { as_postgres "$pgbin/initdb" -D "$pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C &&
  as_postgres "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start -o \
    "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg -c fsync=off"; } >"$pg/ctl.log" 2>&1; then
  fail "PostgreSQL starts on 127.0.0.1:$port" "$(tail -20 "$pg/ctl.log" "$pg/server.log" 2>/dev/null)"
  stop_server
  return 0
fi

cp=$WORK/classes:$jar
"$JDK/bin/java" -cp "$cp" Jdbc "$port" >"$WORK/plain1.out" 2>"$WORK/plain1.out.err"
"$JDK/bin/java" -cp "$cp" Jdbc "$port" >"$WORK/plain2.out" 2>"$WORK/plain2.out.err"
check_differs "plain runs differ (backend pid, client port, now(), random())" "$WORK/plain1.out" "$WORK/plain2.out"
status=0
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$cp" Jdbc "$port" || status=$?
stop_server
check "the recording exits 0" test "$status" = 0
check "the recording read back the rows" grep -q "^rows: 3$" "$WORK/rec.out"
check "the recording saw the rollback" grep -q "^after rollback: 3 rows$" "$WORK/rec.out"
check "the recording saw the failing query (42P01)" grep -q "^failing query: SQLState 42P01: .*no_such_table" "$WORK/rec.out"
check "the server is stopped" sh -c '! runuser -u postgres -- "$0" -D "$1" status' "$pgbin/pg_ctl" "$pg/data"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
