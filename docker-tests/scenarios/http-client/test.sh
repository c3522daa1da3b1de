# HTTP over sockets replays with no network and no server, against a local server whose every answer
# differs (a counter and its clock). Client: HttpURLConnection GETs and a POST, a raw Socket, and a
# refused connection. NioClient: java.net.http.HttpClient send and concurrent sendAsync, a
# SocketChannel driven by a Selector, and UDP (DatagramChannel, DatagramSocket). Replay runs under
# unshare -n after the server is stopped, and strace shows it connects to nothing (replay_offline).
start_server "$WORK/server.port" 2 Server
port=$(sed -n 1p "$WORK/server.port")
udp_port=$(sed -n 2p "$WORK/server.port")
plain "$WORK/plain1.out" Client "$port"
plain "$WORK/plain2.out" Client "$port"
check_differs "plain runs differ (the server answers differently every time)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Client "$port"
plain "$WORK/nio-plain1.out" NioClient "$port" "$udp_port"
plain "$WORK/nio-plain2.out" NioClient "$port" "$udp_port"
check_differs "NioClient: plain runs differ" "$WORK/nio-plain1.out" "$WORK/nio-plain2.out"
record "$WORK/nio.retrace" "$WORK/nio.out" -- -cp "$WORK/classes" NioClient "$port" "$udp_port"
stop_server
check "the recording got answers from the server" grep -q "^200 request .* POST /get2 body=hello" "$WORK/rec.out"
check "the recording saw the refused connection" grep -q "^refused: Connection refused" "$WORK/rec.out"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
check "NioClient: the recording got answers over HttpClient, a selector and UDP" \
  sh -c 'grep -c "^sendAsync: 200 request" "$1" | grep -qx 3 && grep -q "^selector: HTTP/1.1 200 OK" "$1" &&
    grep -q "^udp socket: datagram [0-9]* at [0-9]* echo=from a socket" "$1"' - "$WORK/nio.out"
replay_offline "NioClient, with the server stopped" "$WORK/nio.retrace" "$WORK/nio.out"
# A replay that sends other bytes than the recording did is a divergence naming the offset.
status=$(status_of "$WORK/tampered.out" "$WORK/tampered.err" unshare -n "$JDK/bin/java" \
  -agentpath:"$(dirname "$RETRACE")/../lib/libretrace.so=replay,tape=$WORK/run.retrace" \
  -cp "$WORK/classes" Client "$port" "hellO")
check "a replay that sends other bytes exits 120" test "$status" = 120
check "it names the first differing byte" grep -q "the bytes written differ first at offset" "$WORK/tampered.err"
# JDK 17's old socket implementation is not followed: recording says so, and replay stops at its
# first call instead of reaching the network.
if [ "$JDK_NAME" = 17 ]; then
  start_server "$WORK/server.port" 2 Server
  port=$(sed -n 1p "$WORK/server.port")
  record "$WORK/plain-impl.retrace" "$WORK/plain-impl.out" -- -Djdk.net.usePlainSocketImpl=true -cp "$WORK/classes" \
    Client "$port"
  stop_server
  check "recording with PlainSocketImpl warns that it is not recorded" \
    grep -q "warning: java.net.PlainSocketImpl.socketCreate(ZZ)V is not recorded" "$WORK/plain-impl.out.err"
  status=$(status_of "$WORK/plain-impl.replay" "$WORK/plain-impl.replay.err" unshare -n "$WORK/plain-impl.retrace")
  check "its replay stops with exit 120 naming the call" sh -c '[ "$1" = 120 ] &&
    grep -q "the program asked for:  java.net.PlainSocketImpl.socketCreate" "$2"' - "$status" "$WORK/plain-impl.replay.err"
fi
