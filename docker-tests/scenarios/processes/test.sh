# Child processes replay from the recording, and none is started: a shell (its clock, its pid, its
# exit status 3), a child JVM (its nanoTime), a sleep that is destroyed, a program that does not
# exist, and the program's own pid. Plain runs differ in all of them. Replay runs with an empty
# PATH and no network, and strace shows it executes nothing but the replaying JVM.
plain "$WORK/plain1.out" Processes
plain "$WORK/plain2.out" Processes
check_differs "plain runs differ (clock, pids, nanoTime)" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/run.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Processes
check "the recording saw the shell exit 3" grep -q "^sh printed [0-9]* [0-9]* and exited 3; its pid" "$WORK/rec.out"
check "the recording saw the child JVM" grep -q "^the child JVM said: nanoTime [0-9]*$" "$WORK/rec.out"
check "the recording saw sleep destroyed" grep -qx "sleep ended in time: true, exit 143" "$WORK/rec.out"
status=$(status_of "$WORK/replay.out" "$WORK/replay.err" unshare -n env PATH=/nonexistent "$WORK/run.retrace")
check "replay with an empty PATH, offline, exits 0" test "$status" = 0
check_same "replay prints what was recorded" "$WORK/rec.out" "$WORK/replay.out"
strace -f -qq -e trace=execve -o "$WORK/replay.strace" env PATH=/nonexistent "$WORK/run.retrace" >/dev/null 2>&1
check "replay starts no process (strace: no execve of sh, sleep or a second JVM)" sh -c \
  '! grep -E "execve\(\"[^\"]*/(sh|sleep|date|jspawnhelper)\"" "$1" && [ "$(grep -c "execve(\"$2\"" "$1")" -le 1 ]' \
  - "$WORK/replay.strace" "$JDK/bin/java"
