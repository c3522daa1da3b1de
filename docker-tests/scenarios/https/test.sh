# TLS through the JDK is plain Java over sockets, so HTTPS replays with no network and no server:
# HttpsURLConnection GETs and a POST and a raw SSLSocket, against a local HttpsServer with a
# self-signed certificate made fresh for each run, whose every answer differs (a counter and its
# clock). The handshake's randomness comes from recorded reads of /dev/urandom, so replay
# reproduces the recorded ClientHello and the server's recorded answers decrypt. Replay runs under
# unshare -n after the server is stopped, and strace shows it connects to nothing (replay_offline).
storepass=changeit
keytool() { "$JDK/bin/keytool" "$@" >>"$WORK/keytool.log" 2>&1; }
keytool -genkeypair -keyalg EC -alias server -dname CN=localhost -ext san=ip:127.0.0.1 -validity 2 \
  -keystore "$WORK/server.p12" -storetype PKCS12 -storepass "$storepass"
keytool -exportcert -alias server -keystore "$WORK/server.p12" -storepass "$storepass" -file "$WORK/server.crt"
keytool -importcert -noprompt -alias server -file "$WORK/server.crt" \
  -keystore "$WORK/trust.p12" -storetype PKCS12 -storepass "$storepass"
check "keytool made a trust store holding the fresh certificate" \
  "$JDK/bin/keytool" -list -alias server -keystore "$WORK/trust.p12" -storepass "$storepass"

start_server "$WORK/server.port" 1 Server "$WORK/server.p12" "$storepass"
port=$(head -1 "$WORK/server.port")

plain "$WORK/plain1.out" Client "$port" "$WORK/trust.p12" "$storepass"
plain "$WORK/plain2.out" Client "$port" "$WORK/trust.p12" "$storepass"
check_differs "plain runs differ (the server answers differently every time)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Client "$port" "$WORK/trust.p12" "$storepass"
stop_server
check "the recording got answers over HTTPS" grep -q "^200 request [0-9]* at .* POST /get2 body=hello" "$WORK/rec.out"
check "the raw SSLSocket negotiated TLSv1.3" grep -q "^raw: HTTP/1.1 200 OK, TLSv1.3 TLS_" "$WORK/rec.out"
replay_offline "with the server stopped" "$WORK/run.retrace" "$WORK/rec.out"
