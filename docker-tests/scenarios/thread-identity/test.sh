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
# Thread ids: the agent's watchdog attaches to the JVM (a java.lang.Thread, so a thread id) at VM
# start in record and replay alike, not at its first look. With --preempt that first look came while
# the program ran, and threads started after it had other ids (and random sequences) on replay.
plain "$WORK/ids-plain1.out" ThreadIds
plain "$WORK/ids-plain2.out" ThreadIds
check_differs "two plain runs of ThreadIds differ" "$WORK/ids-plain1.out" "$WORK/ids-plain2.out"
for i in 1 2 3; do
  record "$WORK/ids$i.retrace" "$WORK/ids-rec$i.out" --preempt -- -cp "$WORK/classes" ThreadIds
  check_replay "thread ids and their random sequences replay (--preempt, recording $i)" "$WORK/ids$i.retrace" "$WORK/ids-rec$i.out"
done
record "$WORK/ids-plain.retrace" "$WORK/ids-rec-plain.out" -- -cp "$WORK/classes" ThreadIds
check_replay "thread ids and their random sequences replay (no --preempt)" "$WORK/ids-plain.retrace" "$WORK/ids-rec-plain.out"
