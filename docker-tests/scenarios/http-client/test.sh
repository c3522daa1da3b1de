# HTTP over sockets replays with no network and no server: HttpURLConnection GETs and a POST, a raw
# Socket, and a refused connection, against a local server whose every answer differs (a counter
# and its clock). Replay runs under unshare -n after the server is stopped, and strace shows it
# connects to nothing (replay_offline).
start_server() {
  "$JDK/bin/java" -cp "$WORK/classes" Server >"$WORK/server.port" 2>"$WORK/server.err" &
  server=$!
  for _ in $(seq 50); do
    [ -s "$WORK/server.port" ] && break
    sleep 0.1
  done
  port=$(head -1 "$WORK/server.port")
}
stop_server() {
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null || true
}

start_server
plain "$WORK/plain1.out" Client "$port"
plain "$WORK/plain2.out" Client "$port"
check_differs "plain runs differ (the server answers differently every time)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Client "$port"
stop_server
check "the recording got answers from the server" grep -q "^200 request .* POST /get2 body=hello" "$WORK/rec.out"
check "the recording saw the refused connection" grep -q "^refused: Connection refused" "$WORK/rec.out"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
# A replay that sends other bytes than the recording did is a divergence naming the offset.
status=$(status_of "$WORK/tampered.out" "$WORK/tampered.err" unshare -n "$JDK/bin/java" \
  -agentpath:"$(dirname "$RETRACE")/../lib/libretrace.so=replay,tape=$WORK/run.retrace" \
  -cp "$WORK/classes" Client "$port" "hellO")
check "a replay that sends other bytes exits 120" test "$status" = 120
check "it names the first differing byte" grep -q "the bytes written differ first at offset" "$WORK/tampered.err"
