# Weak and soft references: with --keep-references the collector clears none of them, in the
# recorded run and its replays, so a program whose course depends on what it cleared replays.
plain "$WORK/plain1.out" WeakCaches
plain "$WORK/plain2.out" WeakCaches
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
check "a plain run sees weak references cleared" sh -c '! grep -q "^first cleared at -1," "$1"' - "$WORK/plain1.out"
for i in 1 2 3 4 5; do
  record "$WORK/kept$i.retrace" "$WORK/kept$i.out" --keep-references -- -cp "$WORK/classes" WeakCaches
  check_replay "recording $i with --keep-references replays byte-identical" "$WORK/kept$i.retrace" "$WORK/kept$i.out"
done
check "with --keep-references the collector cleared none" \
  grep -q "^first cleared at -1, polled 0, map 1000, soft kept$" "$WORK/kept1.out"
check "the recording says it keeps references" sh -c '"$1" summary "$2" | grep -q "keep_references"' - "$RETRACE" "$WORK/kept1.retrace"
