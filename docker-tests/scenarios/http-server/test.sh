# A recorded server replays with its load generator gone: LogServer (com.sun.net.httpserver with a
# pool of four handlers) is recorded while Load, a separate JVM, sends 500 requests over 4
# keep-alive connections. The replay, offline with nothing listening or sending, prints the same
# per-request log lines in the same order. Plain runs differ in that order, the ports and the clock.
requests_per_connection=125
# serve OUT [record options]: starts LogServer (recorded when options are given) and runs the load
# against it; the server's output goes to OUT, the load generator's to OUT.load.
serve() {
  local out=$1
  shift
  if [ $# -gt 0 ]; then
    "$RETRACE" record --java "$JDK/bin/java" "$@" -- -Dsun.net.httpserver.nodelay=true -cp "$WORK/classes" \
      LogServer $((4 * requests_per_connection)) >"$out" 2>"$out.err" &
  else
    "$JDK/bin/java" -Dsun.net.httpserver.nodelay=true -cp "$WORK/classes" LogServer $((4 * requests_per_connection)) \
      >"$out" 2>"$out.err" &
  fi
  local server=$!
  for _ in $(seq 100); do
    grep -q "^listening on port" "$out" 2>/dev/null && break
    sleep 0.1
  done
  "$JDK/bin/java" -cp "$WORK/classes" Load "$(awk 'NR == 1 { print $4 }' "$out")" 4 "$requests_per_connection" \
    >"$out.load" 2>&1
  wait "$server"
}

serve "$WORK/plain1.out"
serve "$WORK/plain2.out"
check_differs "plain runs differ (request order, ports, clock)" "$WORK/plain1.out" "$WORK/plain2.out"
serve "$WORK/rec.out" -o "$WORK/run.retrace" --force
check "the load generator got 500 answers from the recorded server" grep -qx "answers 500 of 500" "$WORK/rec.out.load"
check "the recorded server logged 500 requests" sh -c 'grep -c "^request [0-9]* " "$1" | grep -qx 500 &&
  grep -qx "served 500 requests" "$1"' - "$WORK/rec.out"
check "the requests came over 4 connections" sh -c '[ "$(grep -o "from port [0-9]*" "$1" | sort -u | wc -l)" = 4 ]' \
  - "$WORK/rec.out"
replay_offline "with the load generator gone" "$WORK/run.retrace" "$WORK/rec.out"
