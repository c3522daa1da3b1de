# FileChannel.map: a file read through memory mappings replays without the file, and the replay
# maps, opens and changes nothing of it.
data=$WORK/data
mkdir -p "$data"
plain "$WORK/plain1.out" MappedFiles "$data"
plain "$WORK/plain2.out" MappedFiles "$data"
check_differs "two plain runs differ" "$WORK/plain1.out" "$WORK/plain2.out"
check "the plain run read the whole mapping" grep -q "whole matches what was written: true" "$WORK/plain1.out"
check "the plain run read the mapping at 5001" grep -q "at 5001: 3000 bytes, .*matches: true" "$WORK/plain1.out"

record "$WORK/mapped.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" MappedFiles "$data"
check "the recording ran to the end" grep -q "the file after: " "$WORK/rec.out"
check "the recording warns of nothing" sh -c '! grep -q "warning" "$1"' - "$WORK/rec.out.err"

rm -rf "$data"
strace -f -qq -o "$WORK/strace.log" -e trace="$FILE_CHANGES" "$WORK/mapped.retrace" >"$WORK/replay.out" 2>"$WORK/replay.err"
check_same "replay prints the recording's output without the file" "$WORK/rec.out" "$WORK/replay.out"
check "the data directory is still gone" test ! -e "$data"
check_changes_nothing "replay creates, changes and deletes nothing (strace)" "$WORK/strace.log"
check_opens_nothing_in "replay opens nothing in the recorded data directory" "$data" "$WORK/strace.log"
