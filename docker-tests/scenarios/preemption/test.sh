# With --preempt, recorded runs of racy programs show races as plain runs do: the baton holder is
# preempted at a method entry (a tick) after a time slice of about 2 ms while another thread waits, so code
# between boundary calls does not run alone. For each program, 5 plain runs and 5 recordings (docker-tests/run --loops N:
# N of each, at least 10): the recordings print at least as
# many distinct results as the plain runs, and every recording replays byte-identical twice (the
# second time offline). A recording made without --preempt shows what preemption changes: the
# computing threads run one after another, and nothing is lost.
# LostUpdateInOneIncrement, at the end: a race inside one count++ shows with --preempt-fields only.

# A producer/consumer meets at park, where time slices do not reach: its recordings vary as plain
# runs do with --chaos (random priorities decide who gets the baton at each hand-over).
# key|label|class|mode
programs=(
  "lost|lost updates through a getter and a setter (4 threads)|LostUpdatesAcrossCalls|--preempt"
  "pool|completion order of 24 computing tasks in a pool of 4|PoolOrder|--preempt"
  "claims|check-then-act on a shared map (4 threads)|CheckThenAct|--preempt"
  "handoff|2 producers and 2 consumers through a queue, with --chaos|Handoff|--chaos"
)
RUNS=5
[ -n "${LOOPS:-}" ] && RUNS=$((LOOPS > 10 ? LOOPS : 10))

distinct() { # distinct FILE...: how many different contents
  md5sum "$@" | cut -c1-32 | sort -u | wc -l
}

# record_replayed KEY I CLASS MODE REPLAY_TIMEOUT [SUMMARY]: records run I of CLASS with MODE into
# $WORK/KEY.I.retrace and replays it twice (the second offline); appends the recording's output
# file to `recorded` and what went wrong to `bad`, and writes `retrace summary` to SUMMARY if given.
# The two replays run side by side: what is measured here (how much plain runs and recordings
# vary) runs alone, and a replay follows its recording whatever runs beside it.
record_replayed() {
  local key=$1 i=$2 class=$3 mode=$4 limit=$5 summary=${6:-} k status
  local tape=$WORK/$key.$i.retrace
  status=0
  timeout -k 10 120 "$RETRACE" record "$mode" --java "$JDK/bin/java" -o "$tape" --force -- -cp "$WORK/classes" "$class" \
    >"$WORK/$key.rec$i.out" 2>"$WORK/$key.rec$i.err" || status=$?
  recorded+=("$WORK/$key.rec$i.out")
  [ $status -eq 0 ] || bad+="recording $i exits $status: $(head -3 "$WORK/$key.rec$i.err")"$'\n'
  local beside
  status_of "$WORK/$key.rep$i.1.out" "$WORK/$key.rep$i.1.err" timeout -k 10 "$limit" "$tape" >"$WORK/$key.rep$i.1.status" &
  beside=$!
  status_of "$WORK/$key.rep$i.2.out" "$WORK/$key.rep$i.2.err" timeout -k 10 "$limit" unshare -n "$tape" \
    >"$WORK/$key.rep$i.2.status"
  [ -z "$summary" ] || "$RETRACE" summary "$tape" >"$summary" 2>&1
  wait $beside
  for k in 1 2; do
    status=$(cat "$WORK/$key.rep$i.$k.status")
    if [ "$status" -ne 0 ] || ! cmp -s "$WORK/$key.rec$i.out" "$WORK/$key.rep$i.$k.out"; then
      bad+="recording $i, replay $k: exit $status, $(diff "$WORK/$key.rec$i.out" "$WORK/$key.rep$i.$k.out" | head -4)"
      bad+=$'\n'"$(head -5 "$WORK/$key.rep$i.$k.err")"$'\n'
    fi
  done
}

for entry in "${programs[@]}"; do
  IFS='|' read -r key label class mode <<<"$entry"
  plains=()
  for i in $(seq 1 $RUNS); do
    plain "$WORK/$key.plain$i.out" "$class" || fail "$label: plain run $i exits 0" "$(head -5 "$WORK/$key.plain$i.out.err")"
    plains+=("$WORK/$key.plain$i.out")
  done
  plain_distinct=$(distinct "${plains[@]}")
  check "$label: plain runs differ ($plain_distinct distinct of $RUNS)" test "$plain_distinct" -ge 2

  recorded=()
  bad=""
  preempts=0
  for i in $(seq 1 $RUNS); do
    record_replayed "$key" "$i" "$class" "$mode" 60 "$WORK/$key.$i.summary"
    n=$(sed -n 's/.*preempt \([0-9]*\)).*/\1/p' "$WORK/$key.$i.summary")
    preempts=$((preempts + ${n:-0}))
  done
  if [ -z "$bad" ]; then
    pass "$label: $RUNS recordings each replay byte-identical twice, online and offline"
  else
    fail "$label: every recording replays byte-identical twice" "$bad"
  fi
  check "$label: the recordings hand the baton over at ticks ($preempts preemptions)" test "$preempts" -gt 0
  recorded_distinct=$(distinct "${recorded[@]}")
  check "$label: recordings vary as much as plain runs ($recorded_distinct distinct recordings, $plain_distinct distinct plain runs)" \
    test "$recorded_distinct" -ge "$plain_distinct"
done

# Without --preempt a computing thread keeps the baton until its next boundary call: the adders
# run one after another and no update is lost. That is the behaviour preemption replaces.
# (Unless an adder ran past --escape-after on a loaded machine: then the summary says so.)
record "$WORK/nopreempt.retrace" "$WORK/nopreempt.out" -- -cp "$WORK/classes" LostUpdatesAcrossCalls
"$RETRACE" summary "$WORK/nopreempt.retrace" >"$WORK/nopreempt.summary"
check "without --preempt: the recording has no preemption" grep -q "preempt 0)" "$WORK/nopreempt.summary"
if grep -q "escape 0," "$WORK/nopreempt.summary"; then
  check "without --preempt: the adders do not interleave, nothing is lost" grep -qx "total 8000000 of 8000000" "$WORK/nopreempt.out"
fi
check_replay "without --preempt: the recording replays byte-identical" "$WORK/nopreempt.retrace" "$WORK/nopreempt.out"

# A race inside one `count++` (getstatic, iadd, putstatic; no method call in the loop) needs a
# preemption point between the read and the write: --preempt-fields puts a tick before every field
# and array access of the program's classes. Plain runs lose updates, and so do recordings with
# --preempt-fields, each replaying byte-identical twice (the second time offline); a --preempt
# recording (ticks at method entries only) loses nothing.
FIELD_RUNS=5
lost_runs() { # lost_runs FILE...: how many of the outputs lost updates
  grep -L -x "total 4000000 of 4000000" "$@" | wc -l
}
plains=()
for i in $(seq 1 $FIELD_RUNS); do
  plain "$WORK/one.plain$i.out" LostUpdateInOneIncrement || fail "one count++: plain run $i exits 0" "$(head -5 "$WORK/one.plain$i.out.err")"
  plains+=("$WORK/one.plain$i.out")
done
lost=$(lost_runs "${plains[@]}")
check "one count++: plain runs lose updates ($lost of $FIELD_RUNS: $(cut -d' ' -f2 "${plains[@]}" | tr '\n' ' '))" test "$lost" -ge 1
plain_distinct=$(distinct "${plains[@]}")
check "one count++: plain runs differ ($plain_distinct distinct of $FIELD_RUNS)" test "$plain_distinct" -ge 2

recorded=()
bad=""
for i in $(seq 1 $FIELD_RUNS); do
  record_replayed one "$i" LostUpdateInOneIncrement --preempt-fields 120
done
if [ -z "$bad" ]; then
  pass "one count++: $FIELD_RUNS --preempt-fields recordings each replay byte-identical twice, online and offline"
else
  fail "one count++: every --preempt-fields recording replays byte-identical twice" "$bad"
fi
lost=$(lost_runs "${recorded[@]}")
check "one count++: --preempt-fields recordings lose updates ($lost of $FIELD_RUNS: $(cut -d' ' -f2 "${recorded[@]}" | tr '\n' ' '))" \
  test "$lost" -ge 1

# Entry ticks only: the incrementing loop has no tick, each thread's loop runs whole, nothing is
# lost (unless a thread ran past --escape-after on a loaded machine: the summary then says so).
tape=$WORK/one.entries.retrace
record "$tape" "$WORK/one.entries.out" --preempt -- -cp "$WORK/classes" LostUpdateInOneIncrement
"$RETRACE" summary "$tape" >"$WORK/one.entries.summary"
if grep -q "escape 0," "$WORK/one.entries.summary"; then
  check "one count++: a --preempt recording loses nothing" grep -qx "total 4000000 of 4000000" "$WORK/one.entries.out"
fi
check_replay "one count++: the --preempt recording replays byte-identical" "$tape" "$WORK/one.entries.out"
