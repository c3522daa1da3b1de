# A recording of a tree of JVMs cut short anywhere (a killed recorder, a full disk, a copy that
# stopped early) replays up to the cut and stops there, never hangs: exit 123 with one line on
# stderr, or the program's own status when the cut leaves the root all it needs. Cut at every
# frame boundary and at 200 random offsets (a fixed seed, printed; RETRACE_CUT_SEED changes it),
# each cut replayed offline and timed, two at a time.
agent=$(dirname "$RETRACE")/../lib/libretrace.so
JAVA_TOOL_OPTIONS="-agentpath:$agent=record,tape=$WORK/tree.retrace" "$JDK/bin/java" -cp "$WORK/classes" CutTree root \
  >"$WORK/tree.out" 2>"$WORK/tree.err"
recorded_status=$?
check "the tree ran 5 JVMs and exited 0" sh -c '[ "$1" = 0 ] && [ "$(grep -c "nanoTime" "$2")" = 5 ]' - \
  "$recorded_status" "$WORK/tree.out"
check "the recording holds the 5 processes" sh -c '[ "$("$1" --recording "$2" --list_pids | wc -l)" = 5 ]' - \
  "$RETRACE" "$WORK/tree.retrace"
status=$(status_of "$WORK/whole.out" "$WORK/whole.err" unshare -n "$WORK/tree.retrace")
check "the whole recording replays offline: exit 0, the tree's output" sh -c '[ "$1" = 0 ] && cmp -s "$2" "$3"' - \
  "$status" "$WORK/tree.out" "$WORK/whole.out"

# Frame boundaries (docs/recording-format.md): after the shebang line, frames follow one another, each
# a 16-byte header (magic RTF1, pid, length, crc: little-endian u32) and `length` bytes of payload.
# One line per frame start, "offset pid", then the offset where the last frame ends.
perl -e 'open(my $f, "<", $ARGV[0]) or die "$!\n"; binmode $f; local $/; my $d = <$f>;
  my $at = index($d, "\n") + 1;
  while ($at + 16 <= length $d) {
    my ($magic, $pid, $length) = unpack("V3", substr($d, $at, 12));
    last if $magic != 0x31465452;
    print "$at $pid\n";
    $at += 16 + $length;
  }
  print "$at\n"' "$WORK/tree.retrace" >"$WORK/frames"
size=$(stat -c %s "$WORK/tree.retrace")
frame_count=$(($(wc -l <"$WORK/frames") - 1))
root_pid=$(awk 'NR == 1 { print $2 }' "$WORK/frames")
root_started=$(awk 'NR == 2 { print $1 }' "$WORK/frames") # the end of the root's processStart frame
check "the frame walk reads the whole file: $frame_count frames, the last ending at its size ($size)" \
  sh -c '[ "$1" -gt 20 ] && [ "$(tail -1 "$2")" = "$3" ]' - "$frame_count" "$WORK/frames" "$size"

seed=${RETRACE_CUT_SEED:-13}
awk '{ print $1 }' "$WORK/frames" >"$WORK/offsets"
perl -e 'srand($ARGV[0]); print 1 + int(rand($ARGV[1] - 1)), "\n" for 1 .. 200' "$seed" "$size" >>"$WORK/offsets"
sort -un "$WORK/offsets" -o "$WORK/offsets"
cuts=$(wc -l <"$WORK/offsets")
what="$((frame_count + 1)) frame boundaries and 200 random offsets (seed $seed), $cuts cuts"

# cut.sh TAPE DIR OFFSET: replays the first OFFSET bytes of TAPE offline; prints "offset status ms".
# A replay still running after 20 s is killed (status 124); one that took over 15 s fails below.
cat >"$WORK/cut.sh" <<'SCRIPT'
#!/usr/bin/env bash
cut=$2/$3.retrace
head -c "$3" "$1" >"$cut"
chmod 700 "$cut"
start=$(date +%s%N)
timeout -k 5 20 unshare -n "$cut" >"$cut.out" 2>"$cut.err"
status=$?
echo "$3 $status $((($(date +%s%N) - start) / 1000000))"
SCRIPT
chmod 700 "$WORK/cut.sh"
mkdir -p "$WORK/cuts"
xargs -P2 -n1 "$WORK/cut.sh" "$WORK/tree.retrace" "$WORK/cuts" <"$WORK/offsets" | sort -n >"$WORK/results"
read -r slowest_offset _ slowest_ms < <(sort -k3,3n "$WORK/results" | tail -1)
echo "       cut-trees [$JDK_NAME]: $what; the longest replay took ${slowest_ms} ms (offset $slowest_offset)"
check "$what: all replayed" test "$(wc -l <"$WORK/results")" = "$cuts"
check "$what: no replay takes more than 15 s" \
  sh -c '! awk "\$3 > 15000 { print \"offset\", \$1, \"exit\", \$2, \"after\", \$3, \"ms\"; bad = 1 } END { exit !bad }" "$1"' \
  - "$WORK/results"

# Each cut ends one of three ways: 122 when not even the root's first frame is whole (nothing to
# replay: one line); 123 with the one line saying the replay reached the end of the incomplete
# recording; or the program's own status (0) with the whole output, when the cut leaves the root
# every event it asks for. None prints a stack trace, and each prints a prefix of the tree's output.
while read -r offset status ms; do
  cut=$WORK/cuts/$offset.retrace
  case "$status" in
    122) [ "$offset" -lt "$root_started" ] && one_line "$cut.err" ;;
    123) one_line "$cut.err" && grep -q "^retrace: the replay reached the end of an incomplete recording at " "$cut.err" ;;
    0) cmp -s "$cut.out" "$WORK/tree.out" ;;
    *) false ;;
  esac || echo "offset $offset: exit $status after $ms ms: $(head -c 600 "$cut.err")"
  no_stack_trace "$cut.err" || echo "offset $offset: a stack trace: $(head -c 600 "$cut.err")"
  head -c "$(stat -c %s "$cut.out")" "$WORK/tree.out" | cmp -s - "$cut.out" ||
    echo "offset $offset: printed what the tree did not: $(head -c 300 "$cut.out")"
done <"$WORK/results" >"$WORK/bad"
check "$what: each exits 123 with one line, or the program's status 0 with the whole output (122 before the root's first frame)" \
  sh -c '[ ! -s "$1" ] || { head -20 "$1"; false; }' - "$WORK/bad"
# The cuts the root's replay used to hang at: from the end of a child's end frame to the start of the
# root's (the child's output is recorded, the root's next hand-over is not). There are many, and the
# replay of most of them reaches the cut.
read -r child_ended root_ends < <(awk -v r="$root_pid" '{ at[NR] = $1 }
  NF == 2 && $2 != r { last[$2] = NR } NF == 2 && $2 == r { root_last = NR }
  END { for (p in last) if (!min || at[last[p] + 1] < min) min = at[last[p] + 1]; print min, at[root_last] }' "$WORK/frames")
check "$what: of the cuts from the first child's end ($child_ended) to the root's end frame ($root_ends), more than 20, most exit 123" \
  sh -c 'awk -v from="$2" -v to="$3" "\$1 >= from && \$1 <= to { n++; if (\$2 == 123) m++ } END { exit !(n > 20 && 2 * m > n) }" "$1"' \
  - "$WORK/results" "$child_ended" "$root_ends"
