# A recording whose boundary sequence was tampered with: the replay stops with the divergence
# error (event, thread, expected and actual call, both Java stacks) and exit 120, never a hang.
plain "$WORK/plain1.out" Ticker
plain "$WORK/plain2.out" Ticker
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/good.retrace" "$WORK/rec.out" --stacktraces -- -cp "$WORK/classes" Ticker
replay "$WORK/good.retrace" "$WORK/good.out"
check_same "the untampered recording replays" "$WORK/rec.out" "$WORK/good.out"
tamper=$(dirname "$RETRACE")/../../tape-format/tamper_tape
status=$(status_of "$WORK/checked.out" "$WORK/checked.err" timeout 120 "$WORK/good.retrace" --check-stacks)
check "the untampered recording replays with --check-stacks too (got $status)" test "$status" = 0
check_same "  and prints what the recording printed" "$WORK/rec.out" "$WORK/checked.out"
# The same calls reached from another line: only --check-stacks sees that.
moved=$("$RETRACE" print "$WORK/good.retrace" | awk '/System.currentTimeMillis/ && $2 ~ /^#/ {sub("#", "", $2); print $2; exit}')
"$tamper" "$WORK/good.retrace" "$WORK/moved.retrace" --thread 0 --index "$moved" --line 999
replay "$WORK/moved.retrace" "$WORK/moved.out"
check_same "a recorded stack with another line replays without --check-stacks" "$WORK/rec.out" "$WORK/moved.out"
status=$(status_of "$WORK/moved-checked.out" "$WORK/moved-checked.err" timeout 120 "$WORK/moved.retrace" --check-stacks)
check "with --check-stacks it ends with exit 120 (got $status)" test "$status" = 120
check "  at that event" grep -q "replay diverged at event $moved of thread 0 \"main\"" "$WORK/moved-checked.err"
check "  saying the stack differs" grep -q "the Java stack that makes it is not" "$WORK/moved-checked.err"
check "  beside the recorded line" grep -q "Ticker.main(Ticker.java:999)" "$WORK/moved-checked.err"
# Event 40 of the main thread is a nanoTime of the first round; claim it was currentTimeMillis.
first=$("$RETRACE" print "$WORK/good.retrace" | awk '/System.nanoTime/ && $2 ~ /^#/ {n++; if (n == 40) {sub("#", "", $2); print $2; exit}}')
"$tamper" "$WORK/good.retrace" "$WORK/swapped.retrace" --thread 0 --index "$first" --call 2
status=$(status_of "$WORK/swapped.out" "$WORK/swapped.err" timeout 120 "$WORK/swapped.retrace")
check "a swapped call ends the replay with exit 120 (got $status)" test "$status" = 120
check "the error names the event and the thread" grep -q "replay diverged at event $first of thread 0 \"main\"" "$WORK/swapped.err"
check "the error says what the recording expected" grep -q "the recording expected: java.lang.System.currentTimeMillis()J" "$WORK/swapped.err"
check "the error says what the program asked for" grep -q "the program asked for:  java.lang.System.nanoTime()J" "$WORK/swapped.err"
check "the error shows the Java stack now" grep -A3 "Java stack now:" "$WORK/swapped.err" | grep -q "at Ticker.main(Ticker.java:"
check "the error shows the recorded Java stack" grep -A3 "Java stack when recorded:" "$WORK/swapped.err" | grep -q "at Ticker.main(Ticker.java:"
# Drop the write of "round 0": the program then writes where the recording has the next round's clock.
write=$("$RETRACE" print "$WORK/good.retrace" | awk '/FileOutputStream.writeBytes/ && /round 0/ {sub("#", "", $2); print $2; exit}')
"$tamper" "$WORK/good.retrace" "$WORK/dropped.retrace" --thread 0 --index "$write" --drop
status=$(status_of "$WORK/dropped.out" "$WORK/dropped.err" timeout 120 "$WORK/dropped.retrace")
check "a dropped event ends the replay with exit 120 (got $status)" test "$status" = 120
check "a dropped event is reported where the sequences part" grep -q "replay diverged at event $write of thread 0" "$WORK/dropped.err"
check "it names the write the program asked for" grep -q "the program asked for:  java.io.FileOutputStream.writeBytes" "$WORK/dropped.err"
check "no JVM crash or Java stack trace on stderr" no_stack_trace "$WORK/dropped.out"
