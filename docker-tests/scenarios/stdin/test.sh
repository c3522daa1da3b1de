# stdin is recorded; the replay runs with stdin closed.
printf 'first line\nsecond line\nthird\n' | plain "$WORK/plain1.out" EchoStdin
printf 'first line\nsecond line\nthird\n' | plain "$WORK/plain2.out" EchoStdin
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
printf 'first line\nsecond line\nthird\n' | record "$WORK/stdin.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" EchoStdin
check "recording read all three lines" grep -q "^3 lines" "$WORK/rec.out"
"$WORK/stdin.retrace" >"$WORK/closed.out" 2>"$WORK/closed.err" <&-
check_same "replay with stdin closed prints the recording's output" "$WORK/rec.out" "$WORK/closed.out"
"$WORK/stdin.retrace" >"$WORK/devnull.out" 2>"$WORK/devnull.err" </dev/null
check_same "replay with stdin at /dev/null prints the recording's output" "$WORK/rec.out" "$WORK/devnull.out"
