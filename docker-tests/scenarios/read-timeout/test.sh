# A read timeout and a reset replay as the same exceptions, with no network and no server: a
# Socket with a 300 ms timeout reads from a server that never answers, a second connection is
# reset by the server (RST), and a third gets an answer (it carries the server's clock, so plain
# runs differ) that arrives 100 ms late, within its timeout. Replay runs under unshare -n after
# the server is stopped, and strace shows it connects to nothing (replay_offline).
start_server "$WORK/server.port" 1 Server 100
port=$(head -1 "$WORK/server.port")

plain "$WORK/plain1.out" Client "$port"
plain "$WORK/plain2.out" Client "$port"
check_differs "plain runs differ (the answer carries the server's clock)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Client "$port"
stop_server
check "the recording timed out after 300 ms or more" \
  grep -qx "java.net.SocketTimeoutException: Read timed out after [3-9]00 ms" "$WORK/rec.out"
check "the recording saw the reset" grep -qx "java.net.SocketException: Connection reset" "$WORK/rec.out"
check "the recording got the late answer" grep -q "^hello answered at [0-9]*$" "$WORK/rec.out"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
