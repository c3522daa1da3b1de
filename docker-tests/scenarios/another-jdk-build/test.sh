# A recording replays on the recorded JDK build only, unless the user asks for another build of the
# same feature release with --any-build (docs/cli.md#retrace-replay). The other build here is a
# copy of this JDK whose release file names another build: the launcher tells it from the recorded
# one by its checksums, as it would a real 17.0.x update.
plain "$WORK/p1.out" Clock
plain "$WORK/p2.out" Clock
check_differs "two plain runs differ" "$WORK/p1.out" "$WORK/p2.out"
record "$WORK/clock.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" Clock
other=$WORK/jdk-other
cp -al "$JDK" "$other" 2>/dev/null || cp -a "$JDK" "$other"
rm "$other/release"  # a hard link to the real one: replaced, not changed
sed 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/JAVA_RUNTIME_VERSION="\1-another-build"/' "$JDK/release" >"$other/release"
check "the copy's release file names another build" grep -q 'another-build"$' "$other/release"

status=$(status_of "$WORK/refused.out" "$WORK/refused.err" "$RETRACE" replay "$WORK/clock.retrace" --java "$other")
check "without --any-build the other build is refused (exit $status)" test "$status" = 121
check "in one line that names it and offers --any-build" sh -c \
  '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "another build of JDK" "$1" && grep -q -- "--any-build" "$1" && grep -q "$2" "$1"' \
  - "$WORK/refused.err" "$other"
check "and nothing ran" test ! -s "$WORK/refused.out"

status=$(status_of "$WORK/any.out" "$WORK/any.err" "$RETRACE" replay "$WORK/clock.retrace" --java "$other" --any-build)
check "with --any-build it replays on the other build (exit $status)" test "$status" = 0
check_same "and prints what the recording printed" "$WORK/rec.out" "$WORK/any.out"
check "saying first which build it replays on" sh -c \
  'head -1 "$1" | grep -q "^retrace-replay: replaying on $2 (.*another-build), another build of JDK"' - "$WORK/any.err" "$other"
status=$(status_of "$WORK/exact.out" "$WORK/exact.err" "$RETRACE" replay "$WORK/clock.retrace" --any-build)
check "with the recorded build present, --any-build takes it and says nothing (exit $status)" sh -c \
  '[ "$1" = 0 ] && ! grep -q "another build" "$2"' - "$status" "$WORK/exact.err"
