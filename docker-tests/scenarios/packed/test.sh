# A packed recording replays anywhere (docs/cli.md#retrace-pack): recorded in one directory tree,
# packed, the tree deleted, and replayed from another directory, as another user, offline, with the
# output byte for byte as recorded. First a program with its classes, a jar and a -javaagent jar
# (started with -cp and with -jar), then a failed Maven test run whose dependencies came from a
# local Maven repository inside the tree. And a pack whose jar was changed is refused in one line.
tree=$WORK/ci
project=$tree/project
mkdir -p "$project/classes" "$project/lib" "$WORK/laptop"
cp "$WORK/classes/Main.class" "$project/classes/"
# compile put every class of this folder in $WORK/classes: Greeter and Agent go to jars of their own.
"$JDK17/bin/jar" cf "$project/lib/greeter.jar" -C "$WORK/classes" greeter
printf 'Premain-Class: agent.Agent\n' >"$WORK/agent.mf"
"$JDK17/bin/jar" cfm "$project/lib/agent.jar" "$WORK/agent.mf" -C "$WORK/classes" agent
printf 'Main-Class: Main\nClass-Path: lib/greeter.jar\n' >"$WORK/app.mf"
"$JDK17/bin/jar" cfm "$project/app.jar" "$WORK/app.mf" -C "$project/classes" .
echo "data" >"$project/input.txt"

# as_another_user DIR TAPE: copies TAPE into DIR and runs it there (./TAPE) as nobody, with no
# network and a cache of its own (where retrace replay extracts packs); its output in DIR/out and
# DIR/err; prints the exit status.
chmod o+x "$WORK" "$(dirname "$WORK")"
as_another_user() {
  local dir=$1 tape=$2 status=0
  mkdir -p "$dir/cache"
  cp "$tape" "$dir/"
  chown -R nobody:nogroup "$dir"
  chmod o+x "$(dirname "$dir")"
  (cd "$dir" && unshare -n setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env HOME="$dir" RETRACE_CACHE="$dir/cache" "./$(basename "$tape")" >"$dir/out" 2>"$dir/err") || status=$?
  echo "$status"
}

(cd "$project" && "$JDK/bin/java" -cp classes:lib/greeter.jar Main >"$WORK/plain1.out" 2>&1)
(cd "$project" && "$JDK/bin/java" -cp classes:lib/greeter.jar Main >"$WORK/plain2.out" 2>&1)
check_differs "two plain runs differ (the clock)" "$WORK/plain1.out" "$WORK/plain2.out"

for form in cp jar; do
  case $form in
    cp) args=(-javaagent:lib/agent.jar=hello -cp classes:lib/greeter.jar Main) ;;
    jar) args=(-javaagent:lib/agent.jar=hello -jar app.jar) ;;
  esac
  tape=$WORK/$form.retrace
  status=$(cd "$project" && status_of "$WORK/$form.out" "$WORK/$form.err" \
    "$RETRACE" record --java "$JDK/bin/java" -o "$tape" --pack -- "${args[@]}")
  check "-$form: recorded packed, exit 0 (got $status)" test "$status" = 0
  check "-$form: the java agent ran" grep -qx "the java agent says hello" "$WORK/$form.out"
  status=$(status_of "$WORK/$form.summary" "$WORK/$form.summary.err" "$RETRACE" summary "$tape")
  check "-$form: summary says what the pack holds" grep -q "^ *Pack: " "$WORK/$form.summary"
done

# The tree is gone: the program's classes, its jars, the agent jar, its working directory.
mv "$tree" "$WORK/ci.moved"
for form in cp jar; do
  status=$(as_another_user "$WORK/laptop/$form" "$WORK/$form.retrace")
  check "-$form: ./FILE replays elsewhere as nobody, offline: exit 0 (got $status)" test "$status" = 0
  check_same "-$form: that replay prints what the recording printed" "$WORK/$form.out" "$WORK/laptop/$form/out"
done
check "the replay saw the recorded paths (class path, user.dir, code source, a relative file)" sh -c \
  'grep -qx "class path classes:lib/greeter.jar" "$1" && grep -qx "user.dir $2" "$1" &&
   grep -qx "loaded from file:$2/classes/Main.class" "$1" && grep -qx "data file $2/input.txt" "$1"' - \
  "$WORK/laptop/cp/out" "$project"
status=$(as_another_user "$WORK/laptop/cp" "$WORK/cp.retrace")
check_same "a second replay there (its cache filled by the first) prints the same (exit $status)" "$WORK/cp.out" \
  "$WORK/laptop/cp/out"
mv "$WORK/ci.moved" "$tree"

# Tampering: the pack's copy of greeter.jar changed (another class of the same size would do; here
# a byte of it), the zip still valid: refused in one line naming the jar, nothing run.
cp "$WORK/cp.retrace" "$WORK/tampered.retrace"
status=$(status_of "$WORK/tamper.out" "$WORK/tamper.err" \
  "$JDK/bin/java" -cp "$WORK/classes" ChangePackedFile "$WORK/tampered.retrace" "$project/lib/greeter.jar")
check "the tampering tool changed the packed jar (exit $status)" test "$status" = 0
status=$(as_another_user "$WORK/laptop/tampered" "$WORK/tampered.retrace")
check "a changed packed jar is refused (exit $status, not 0)" test "$status" != 0 -a "$status" != 120
check "in one line naming the jar" sh -c 'one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }; one_line "$1" &&
  grep -q "greeter.jar" "$1"' - "$WORK/laptop/tampered/err"
check "and the program did not run" test ! -s "$WORK/laptop/tampered/out"

# A failed Maven test run: the project and its local Maven repository in the tree (hard links to
# this machine's, so that nothing is downloaded), the recording packed afterwards with retrace pack.
mkdir -p "$tree/m2"
cp -al "$HOME/.m2/repository" "$tree/m2/repository" 2>/dev/null || cp -a "$HOME/.m2/repository" "$tree/m2/repository"
maven_failed=""
for run in $(seq 12); do
  rm -rf "$tree/suite"
  cp -r "$SCENARIO_DIR/../surefire/fixture" "$tree/suite"
  (cd "$tree/suite" && JAVA_HOME=$JDK mvn -B -ntp -Dmaven.repo.local="$tree/m2/repository" test \
    -Dretrace.agent="$(dirname "$RETRACE")/../lib/libretrace.so" -Dretrace.recording="$tree/suite/failed.retrace" \
    -Dretrace.saveOn=failure) >"$WORK/mvn$run.log" 2>&1 || true
  if [ -f "$tree/suite/failed.retrace" ]; then
    maven_failed=$run
    break
  fi
done
check "the suite failed within 12 runs and kept its recording (run ${maven_failed:-none})" test -n "$maven_failed"
if [ -n "$maven_failed" ]; then
  suite_tape=$WORK/failed.retrace
  status=$(status_of "$WORK/pack.out" "$WORK/pack.err" "$RETRACE" pack "$tree/suite/failed.retrace")
  check "retrace pack packs the failed run (exit $status)" test "$status" = 0
  cp "$tree/suite/failed.retrace" "$suite_tape"
  (cd "$WORK" && "$suite_tape" >"$WORK/suite-here.out" 2>"$WORK/suite-here.err") || true
  check "it replays where it was recorded: the failure line" grep -q "shard 0 got load" "$WORK/suite-here.err"
  rm -rf "$tree"
  check "the tree (project, target/, the local Maven repository) is gone" test ! -e "$tree"
  status=$(as_another_user "$WORK/laptop/suite" "$suite_tape")
  check_same "the failed run replays elsewhere as nobody, offline: stdout byte-identical (exit $status)" \
    "$WORK/suite-here.out" "$WORK/laptop/suite/out"
  check_same "and stderr byte-identical" "$WORK/suite-here.err" "$WORK/laptop/suite/err"
  check "with the failure line" grep -q "shard 0 got load" "$WORK/laptop/suite/err"
fi
