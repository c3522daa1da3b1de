# The machine's network interfaces replay from the recording. Recorded with the machine's network;
# replayed under `unshare -n`, where only a `lo` that is down exists (a plain run finds no interface at all), the program must still list
# the recorded interfaces, addresses, flags, MTU and MAC addresses.
plain "$WORK/plain1.out" Interfaces
plain "$WORK/plain2.out" Interfaces
check_differs "two plain runs differ (the time)" "$WORK/plain1.out" "$WORK/plain2.out"
unshare -n "$JDK/bin/java" -cp "$WORK/classes" Interfaces >"$WORK/plain-offline.out" 2>"$WORK/plain-offline.err"
grep -v '^time ' "$WORK/plain1.out" >"$WORK/plain1.interfaces"
grep -v '^time ' "$WORK/plain-offline.out" >"$WORK/plain-offline.interfaces"
check_differs "a plain run under unshare -n lists other interfaces" "$WORK/plain1.interfaces" "$WORK/plain-offline.interfaces"

record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Interfaces
check "the recording listed lo with its address" grep -q "addresses \[.*/127.0.0.1\]" "$WORK/rec.out"
check "the recording looked lo up by address" grep -q "^by address 127.0.0.1: name:lo" "$WORK/rec.out"
check_replay "replay with the network" "$WORK/run.retrace" "$WORK/rec.out"
replay_offline "without the network" "$WORK/run.retrace" "$WORK/rec.out"

# A virtual interface (lo:1, an address with a label) is a child of lo, with lo as its parent.
# Recorded in a network namespace that has one, replayed in one that has not.
with_alias() {
  unshare -n sh -c 'ip link set lo up && ip addr add 10.1.2.3/24 dev lo label lo:1 && exec "$@"' - "$@"
}
if ! with_alias true 2>"$WORK/alias.err"; then
  fail "a network namespace with a virtual interface (needs root)" "$(cat "$WORK/alias.err")"
  return 0
fi
with_alias "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/alias.retrace" -- -cp "$WORK/classes" Interfaces \
  >"$WORK/alias.out" 2>"$WORK/alias.out.err"
check "the recording listed lo:1 as a child of lo" grep -q "^  name:lo:1 (lo:1) index 1 virtual true parent lo" "$WORK/alias.out"
replay_offline "a virtual interface" "$WORK/alias.retrace" "$WORK/alias.out"
