# Name-service lookups replay from the recording, offline. The recording is made in a mount
# namespace whose /etc/hosts also knows retrace-probe (127.0.0.42); plain runs inside and outside it
# differ. Replay runs outside it, with no network at all (unshare -n), and must still print the
# probe's address, the reverse lookup, the local host and the unknown-host error as recorded.
(cat /etc/hosts; echo "127.0.0.42 retrace-probe") >"$WORK/hosts"
with_probe() {
  unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts" "$@"
}
if ! with_probe true 2>"$WORK/unshare.err"; then
  fail "a mount namespace with another /etc/hosts (needs root)" "$(cat "$WORK/unshare.err")"
  return 0
fi
plain "$WORK/plain.out" Lookups
with_probe "$JDK/bin/java" -cp "$WORK/classes" Lookups >"$WORK/plain-probe.out" 2>&1
check_differs "plain runs differ with the machine's name service" "$WORK/plain.out" "$WORK/plain-probe.out"
with_probe "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/run.retrace" -- -cp "$WORK/classes" Lookups \
  >"$WORK/rec.out" 2>"$WORK/rec.out.err"
check "the recording resolved retrace-probe" grep -q "probe \[retrace-probe/127.0.0.42\]" "$WORK/rec.out"
status=0
unshare -n "$WORK/run.retrace" >"$WORK/rep.out" 2>"$WORK/rep.err" || status=$?
check "replay offline, without retrace-probe in /etc/hosts, exits 0" test "$status" = 0
check_same "replay offline prints the recorded lookups" "$WORK/rec.out" "$WORK/rep.out"
# The JDK's libnet probes which address families exist by opening and closing a socket when it
# loads (JNI_OnLoad), in every JVM that touches java.net; that is not traffic. Nothing may connect
# to or send to an IPv4/IPv6 address, and no DNS server (port 53) may be asked.
strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o "$WORK/strace.log" unshare -n "$WORK/run.retrace" \
  >/dev/null 2>&1 || true
check "replay connects to and sends to nothing on the network (strace)" \
  sh -c '! grep -E "AF_INET|sin_port|sendto\(|sendmsg\(|sendmmsg\(" "$1"' - "$WORK/strace.log"
