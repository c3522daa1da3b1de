# java.io and java.nio.file: the replay needs none of the files, and touches none.
data=$WORK/data
setup_data() {
  mkdir -p "$data"
  echo "hello from the input file" >"$data/input.txt"
  echo "another" >"$data/other.txt"
}
setup_data
plain "$WORK/plain1.out" FileTour "$data"
plain "$WORK/plain2.out" FileTour "$data"
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
check "the plain run read the input" grep -q "io read: hello from the input file" "$WORK/plain1.out"

record "$WORK/files.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" FileTour "$data"
check "the recording ran the whole tour" grep -q "nio missing: " "$WORK/rec.out"
check "the recorded run copied a file with Files.copy" grep -q "nio copied: nio written [0-9]" "$WORK/rec.out"

# Change every input, then remove the directory altogether.
echo "changed after recording" >"$data/input.txt"
rm -rf "$data"
strace -f -qq -o "$WORK/strace.log" -e trace="$FILE_CHANGES" "$WORK/files.retrace" >"$WORK/replay.out" 2>"$WORK/replay.err"
check_same "replay prints the recording's output without the files" "$WORK/rec.out" "$WORK/replay.out"
check "the data directory is still gone" test ! -e "$data"
check_changes_nothing "replay creates, changes and deletes nothing (strace)" "$WORK/strace.log"
check_opens_nothing_in "replay opens nothing in the recorded data directory" "$data" "$WORK/strace.log"
