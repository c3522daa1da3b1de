# A PostgreSQL server of the machine's own (Debian's postgresql, installed by bin/setup) for the
# tests and benchmarks that need one: a fresh cluster in a temporary directory, on a free loopback
# port, with trust authentication for the user postgres. Sourced; defines:
#
#   pgjdbc_jar            prints the pgjdbc jar's path, fetching it from Maven Central when missing
#   pg_start DIR          creates and starts a cluster in DIR (which must not exist); sets pg_port;
#                         on failure prints the logs on stderr and returns non-zero
#   pg_stop               stops it (safe to call twice)
PGJDBC_VERSION=42.7.13

pgjdbc_jar() {
  local jar=$HOME/.m2/repository/org/postgresql/postgresql/$PGJDBC_VERSION/postgresql-$PGJDBC_VERSION.jar
  [ -f "$jar" ] || mvn -B -q -ntp dependency:get -Dartifact=org.postgresql:postgresql:$PGJDBC_VERSION >&2 || return 1
  [ -f "$jar" ] && echo "$jar"
}

pg_start() {
  pg_dir=$1
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; bin/setup installs it)" >&2; return 1; }
  # initdb and postgres refuse root: the cluster belongs to postgres, who must reach it through the
  # caller's private directories (execute permission only).
  mkdir -p "$pg_dir"
  local d=$pg_dir
  while [ "$d" != / ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done
  chown postgres: "$pg_dir"
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C \
    >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
  local attempt
  for attempt in 1 2 3 4 5; do
    pg_port=$((20000 + RANDOM % 30000))
    # Something answers there already: another port.
    (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null && continue
    if runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start -o \
      "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir -c fsync=off" \
      >"$pg_dir/ctl.log" 2>&1; then
      return 0
    fi
  done
  cat "$pg_dir/ctl.log" "$pg_dir/server.log" >&2 2>/dev/null
  return 1
}

pg_stop() {
  [ -n "${pg_dir:-}" ] && [ -d "$pg_dir/data" ] || return 0
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >>"$pg_dir/ctl.log" 2>&1 || true
}
