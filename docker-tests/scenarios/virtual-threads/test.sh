# Virtual threads are refused when recording (docs/threads.md#virtual-threads): the program stops
# at its first virtual thread with exit 125 and one line saying why, never a recording that would
# replay differently.
status=$(status_of "$WORK/plain.out" "$WORK/plain.err" "$JDK/bin/java" -cp "$WORK/classes" Virtual)
if [ "$status" = 3 ]; then
  check "JDK $JDK_NAME has no virtual threads: recording runs the program as it is" \
    test "$(status_of "$WORK/rec.out" "$WORK/rec.err" "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/v.retrace" -- -cp "$WORK/classes" Virtual)" = 3
else
  check "a plain run starts a virtual thread" grep -q "in the virtual thread" "$WORK/plain.out"
  status=$(status_of "$WORK/rec.out" "$WORK/rec.out.err" "$RETRACE" record --java "$JDK/bin/java" -o "$WORK/v.retrace" -- -cp "$WORK/classes" Virtual)
  check "recording stops with exit 125" test "$status" = 125
  check "it never runs the virtual thread's code" sh -c '! grep -q "in the virtual thread" "$1"' - "$WORK/rec.out"
  check "one line says why" grep -q "^retrace: the program started a virtual thread; recording virtual threads is not supported yet" "$WORK/rec.out.err"
  check "no Java stack trace" no_stack_trace "$WORK/rec.out.err"
fi
