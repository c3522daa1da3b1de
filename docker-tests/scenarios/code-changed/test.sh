# Code changed after recording: replay refuses with the mismatch error (exit 121), naming what
# changed; the same holds for a jar.
plain "$WORK/plain1.out" Greeter
sleep 0.01
plain "$WORK/plain2.out" Greeter
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
record "$WORK/v1.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Greeter
replay "$WORK/v1.retrace" "$WORK/v1.out"
check_same "version 1 replays before the change" "$WORK/rec.out" "$WORK/v1.out"
sed 's/hello at/hello again at/' "$SCENARIO_DIR/Greeter.java" >"$WORK/Greeter.java"
"$JDK17/bin/javac" --release 17 -d "$WORK/classes" "$WORK/Greeter.java"
status=$(status_of "$WORK/v2.out" "$WORK/v2.err" "$WORK/v1.retrace")
check "replay against changed classes exits 121 (got $status)" test "$status" = 121
check "the error names the changed classpath entry" grep -q "cannot replay: the classpath entry $WORK/classes changed since the recording" "$WORK/v2.err"
check "the error is one line" one_line "$WORK/v2.err"
check "the changed program did not run" sh -c "! grep -q hello \"$WORK/v2.out\""

# A jar on the classpath.
mkdir -p "$WORK/jar1"
"$JDK17/bin/javac" --release 17 -d "$WORK/jar1" "$SCENARIO_DIR/Greeter.java"
"$JDK17/bin/jar" --create --file "$WORK/app.jar" -C "$WORK/jar1" .
record "$WORK/jar.retrace" "$WORK/jar-rec.out" -- -cp "$WORK/app.jar" Greeter
replay "$WORK/jar.retrace" "$WORK/jar1.out"
check_same "the jar version replays" "$WORK/jar-rec.out" "$WORK/jar1.out"
"$JDK17/bin/jar" --create --file "$WORK/app.jar" -C "$WORK/classes" Greeter.class
status=$(status_of "$WORK/jar2.out" "$WORK/jar2.err" "$WORK/jar.retrace")
check "replay against a changed jar exits 121 (got $status)" test "$status" = 121
check "the error names the jar" grep -q "the classpath entry $WORK/app.jar changed since the recording" "$WORK/jar2.err"
rm "$WORK/app.jar"
status=$(status_of "$WORK/jar3.out" "$WORK/jar3.err" "$WORK/jar.retrace")
check "replay without the jar exits 121 and says it is missing" grep -q "the classpath entry $WORK/app.jar is missing" "$WORK/jar3.err"

# Another JVM: a recording made on this JDK replayed with the other one's agent check.
other=$JDK25; [ "$JDK" = "$JDK25" ] && other=$JDK17
agent=$("$RETRACE" agent-path)
status=$(status_of "$WORK/jvm.out" "$WORK/jvm.err" "$other/bin/java" "-agentpath:$agent=replay,tape=$WORK/v1.retrace" -cp "$WORK/classes" Greeter)
check "replay on another JVM exits 121 (got $status)" test "$status" = 121
check "the error names both JVMs" grep -q "cannot replay: recorded on OpenJDK 64-Bit Server VM .*, this JVM is OpenJDK 64-Bit Server VM" "$WORK/jvm.err"
