# Recordings from someone else: the replay runs the JDK found on this machine, never the recorded
# java.home, and refuses (exit 124, one line naming it) JVM options that would make the JVM do
# something of the recording author's choosing: here options that make the JVM itself write a file
# at start-up (a log file), so that "nothing ran" is checked by a marker file not being there.
plain "$WORK/plain1.out" Clock
plain "$WORK/plain2.out" Clock
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"

# The recorded java.home swapped for a directory whose bin/java is someone else's program, with the
# real JDK's release and libjvm.so (so the recorded checksums match): the JDK installed here runs.
cp -al "$JDK" "$WORK/jdk"
record "$WORK/home.retrace" "$WORK/home-rec.out" -- -cp "$WORK/classes" Clock
"$RETRACE" record --java "$WORK/jdk/bin/java" -o "$WORK/moved.retrace" --force -- -cp "$WORK/classes" Clock \
  >"$WORK/moved-rec.out" 2>"$WORK/moved-rec.err"
check "the recording names the copied JDK as its java.home" grep -q "^ Java home: $WORK/jdk\$" \
  <("$RETRACE" summary "$WORK/moved.retrace")
rm -rf "$WORK/jdk"
mkdir -p "$WORK/jdk/bin" "$WORK/jdk/lib/server"
ln "$JDK/release" "$WORK/jdk/release"
ln "$JDK/lib/server/libjvm.so" "$WORK/jdk/lib/server/libjvm.so"
printf '#!/bin/sh\ntouch %s\n' "$WORK/marker-java-home" >"$WORK/jdk/bin/java"
chmod +x "$WORK/jdk/bin/java"
status=$(status_of "$WORK/moved-rep.out" "$WORK/moved-rep.err" unshare -n "$WORK/moved.retrace" --verbose)
check "a recording whose java.home was swapped replays with the JDK installed here (exit $status)" test "$status" = 0
check_same "  and prints what was recorded" "$WORK/moved-rec.out" "$WORK/moved-rep.out"
check "  and the recorded java.home's bin/java did not run" test ! -e "$WORK/marker-java-home"
check "  (the command runs a JDK under /usr/lib/jvm)" grep -q "^retrace-replay: cd .* /usr/lib/jvm/[^ ]*/bin/java " "$WORK/moved-rep.err"

# A JVM option that makes the JVM write a file, on the recorded command line.
record "$WORK/log.retrace" "$WORK/log-rec.out" -- "-Xlog:gc:file=$WORK/marker-xlog" -cp "$WORK/classes" Clock
check "recording with -Xlog:gc:file= wrote the log" test -e "$WORK/marker-xlog"
rm -f "$WORK/marker-xlog"
status=$(status_of "$WORK/log-rep.out" "$WORK/log-rep.err" unshare -n "$WORK/log.retrace")
check "its replay is refused with exit 124 (got $status)" test "$status" = 124
check "  in one line" one_line "$WORK/log-rep.err"
check "  naming the option and --trust" grep -q "refusing to replay: the recorded command line has -Xlog:gc:file=$WORK/marker-xlog, a log written to a file; .*--trust" "$WORK/log-rep.err"
check "  and nothing ran: no log file, no output" sh -c "test ! -e '$WORK/marker-xlog' && test ! -s '$WORK/log-rep.out'"
status=$(status_of "$WORK/log-trust.out" "$WORK/log-trust.err" unshare -n "$WORK/log.retrace" --trust)
check "with --trust it replays (exit $status) and the JVM writes its log again" sh -c "test $status = 0 && test -e '$WORK/marker-xlog'"
check_same "  printing what was recorded" "$WORK/log-rec.out" "$WORK/log-trust.out"
rm -f "$WORK/marker-xlog"
status=$(status_of "$WORK/log-replay.out" "$WORK/log-replay.err" unshare -n "$RETRACE" replay "$WORK/log.retrace")
check "retrace replay refuses it the same way (exit $status)" sh -c "test $status = 124 && grep -q 'refusing to replay' '$WORK/log-replay.err' && test ! -e '$WORK/marker-xlog'"

# -XX:OnError (a command the JVM runs when it crashes) and the flags that unlock more.
record "$WORK/onerror.retrace" "$WORK/onerror-rec.out" -- "-XX:OnError=touch $WORK/marker-onerror" -cp "$WORK/classes" Clock
status=$(status_of "$WORK/onerror-rep.out" "$WORK/onerror-rep.err" unshare -n "$WORK/onerror.retrace")
check "a recording with -XX:OnError is refused with exit 124 (got $status)" test "$status" = 124
check "  naming -XX:OnError" grep -q "has -XX:OnError=touch $WORK/marker-onerror, a JVM flag not known to be safe" "$WORK/onerror-rep.err"
record "$WORK/diag.retrace" "$WORK/diag-rec.out" -- -XX:+UnlockDiagnosticVMOptions -cp "$WORK/classes" Clock
status=$(status_of "$WORK/diag-rep.out" "$WORK/diag-rep.err" unshare -n "$WORK/diag.retrace")
check "a recording with -XX:+UnlockDiagnosticVMOptions is refused (exit $status)" sh -c "test $status = 124 && grep -q 'has -XX:+UnlockDiagnosticVMOptions' '$WORK/diag-rep.err'"

# The same payload in the recorded JAVA_TOOL_OPTIONS: the summary shows it, the replay refuses it.
JAVA_TOOL_OPTIONS="-Xlog:gc:file=$WORK/marker-env" record "$WORK/env.retrace" "$WORK/env-rec.out" -- -cp "$WORK/classes" Clock
check "recording with it in JAVA_TOOL_OPTIONS wrote the log" test -e "$WORK/marker-env"
rm -f "$WORK/marker-env"
check "retrace summary shows the recorded JAVA_TOOL_OPTIONS" grep -q "^ Recorded JAVA_TOOL_OPTIONS: -Xlog:gc:file=$WORK/marker-env\$" \
  <("$RETRACE" summary "$WORK/env.retrace")
status=$(status_of "$WORK/env-rep.out" "$WORK/env-rep.err" unshare -n "$WORK/env.retrace")
check "its replay is refused with exit 124 (got $status)" test "$status" = 124
check "  naming JAVA_TOOL_OPTIONS" grep -q "refusing to replay: the recorded JAVA_TOOL_OPTIONS has -Xlog:gc:file=$WORK/marker-env" "$WORK/env-rep.err"
check "  and the JVM did not run: no log file" test ! -e "$WORK/marker-env"

# A plain recording still replays, with the JDK found here.
check_replay "a recording without such options replays" "$WORK/home.retrace" "$WORK/home-rec.out"

# A -javaagent jar is code: the recording carries its checksum, so the option is passed on, and a
# changed jar is the usual code mismatch (exit 121).
mkdir -p "$WORK/agent-classes"
"$JDK17/bin/javac" --release 17 -d "$WORK/agent-classes" "$SCENARIO_DIR/agent/Premain.java"
printf 'Premain-Class: Premain\n' >"$WORK/manifest.txt"
"$JDK17/bin/jar" --create --file "$WORK/agent.jar" --manifest "$WORK/manifest.txt" -C "$WORK/agent-classes" .
record "$WORK/javaagent.retrace" "$WORK/javaagent-rec.out" -- "-javaagent:$WORK/agent.jar" -cp "$WORK/classes" Clock
check_replay "a recording made with a -javaagent replays with it" "$WORK/javaagent.retrace" "$WORK/javaagent-rec.out"
printf 'changed\n' >"$WORK/extra.txt"
"$JDK17/bin/jar" --update --file "$WORK/agent.jar" -C "$WORK" extra.txt
status=$(status_of "$WORK/javaagent-changed.out" "$WORK/javaagent-changed.err" "$WORK/javaagent.retrace")
check "a changed -javaagent jar stops the replay with exit 121 (got $status)" sh -c "test $status = 121 && grep -q 'the agent $WORK/agent.jar changed since the recording' '$WORK/javaagent-changed.err'"
