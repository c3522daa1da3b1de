# Threads get the same identity on replay: a thread is named by the thread that started it and how
# many that one had started before, and takes the id the scheduler reserved at its start.
plain "$WORK/plain1.out" Workers
plain "$WORK/plain2.out" Workers
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
for i in 1 2 3 4 5; do
  record "$WORK/run$i.retrace" "$WORK/rec$i.out" -- -cp "$WORK/classes" Workers
  check_replay "recording $i of 9 threads replays byte-identical" "$WORK/run$i.retrace" "$WORK/rec$i.out"
done
check "the recording names 10 threads" test "$("$RETRACE" summary "$WORK/run1.retrace" | sed -n 's/^ *Threads: \([0-9]*\).*/\1/p')" -ge 10
check "the agent prints nothing of its own while recording threads" sh -c '! grep "^retrace: " "$1"' - "$WORK/rec1.out.err"
