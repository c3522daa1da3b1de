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
replay_offline "without retrace-probe in /etc/hosts" "$WORK/run.retrace" "$WORK/rec.out"
