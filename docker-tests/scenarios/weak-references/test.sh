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

# Without the option the recording cannot hold what the collector cleared: it says so at record time.
record "$WORK/weak.retrace" "$WORK/weak.out" -- -cp "$WORK/classes" WeakCaches
check "a recording that saw references cleared says so at record time" \
  grep -q "^retrace record: warning: the collector cleared [0-9]* weak or soft references while recording" "$WORK/weak.out.err"
check "the warning names --keep-references" grep -q "record with --keep-references" "$WORK/weak.out.err"
check "summary counts the weak references the collector cleared" \
  sh -c '"$1" summary "$2" | grep -Eq "^ Collector: cleared [1-9][0-9]* weak, "' - "$RETRACE" "$WORK/weak.retrace"
check "summary repeats the warning" \
  sh -c '"$1" summary "$2" | grep -q "^ Warning: the collector cleared"' - "$RETRACE" "$WORK/weak.retrace"
check "with --keep-references there is no such warning" sh -c '! grep -q "collector cleared" "$1"' - "$WORK/kept1.out.err"
check "with --keep-references summary counts no weak or soft reference cleared" \
  sh -c '"$1" summary "$2" | grep -q "^ Collector: cleared 0 weak, 0 soft, "' - "$RETRACE" "$WORK/kept1.retrace"
