# Racy multi-threaded programs replay the recorded interleaving exactly: lost updates, a thread
# pool, producers and consumers, the java.util.concurrent toolbox, threads reading clocks and files
# at the same time, and a spin-wait on a volatile. For each program: plain runs differ (so the
# program really depends on the interleaving or the clock), and 5 recordings (docker-tests/run
# --loops N: N) each replay with
# byte-identical stdout and the same exit status.
#
# The record/replay pairs run two at a time, each recording and replay under a timeout, so a hang
# is a failure, not a stuck test run.

mkdir -p "$WORK/files"
for name in alpha bravo charlie; do
  printf '%s file\nsecond line of %s\n' "$name" "$name" >"$WORK/files/$name.txt"
done

# key|label|class and arguments
programs=(
  "lost|lost updates (4 threads, plain int)|LostUpdates"
  "pool|pool of 8 threads, 1000 tasks|PoolList"
  "prodcons|producers and consumers|ProducerConsumer"
  "juc|java.util.concurrent toolbox|Coordination"
  "files|clocks and files from 3 threads|ClocksAndFiles $WORK/files"
  "spin|spin-wait on a volatile flag|SpinWait"
)
RECORDINGS=${LOOPS:-5} # docker-tests/run --loops N: N
PARALLEL=2 # record/replay pairs at a time

# sections FILE: "name md5" per "== name" section of the output, sorted (nothing when it has none).
sections() {
  local name
  for name in $(sed -n 's/^== \([^ ]*\).*/\1/p' "$1"); do
    printf '%s %s\n' "$name" "$(awk -v s="$name" '/^== / { on = ($2 == s); next } on' "$1" | md5sum | cut -c1-32)"
  done | sort
}

# plain_differs KEY LABEL CLASS ARGS...: plain runs until one prints something else than the first
# (at most 10); with "== name" sections, until every section has differed at least once.
plain_differs() {
  local key=$1 label=$2 try first=$WORK/$key.plain1.out out status=0 never=""
  shift 2
  plain "$first" "$@" || status=$?
  if [ $status -ne 0 ]; then
    fail "$label: a plain run exits 0 (got $status)" "$(head -5 "$first.err")"
    return
  fi
  sections "$first" >"$first.sections"
  : >"$WORK/$key.varied"
  for try in $(seq 2 10); do
    out=$WORK/$key.plain$try.out
    plain "$out" "$@" || status=$?
    if [ $status -ne 0 ]; then
      fail "$label: a plain run exits 0 (got $status)" "$(head -5 "$out.err")"
      return
    fi
    sections "$out" | join - "$first.sections" | awk '$2 != $3 { print $1 }' >>"$WORK/$key.varied"
    if ! cmp -s "$first" "$out"; then
      never=$(cut -d' ' -f1 "$first.sections" | grep -vxF -f "$WORK/$key.varied" || true)
      if [ -z "$never" ]; then
        pass "$label: plain runs differ (run $try differs from run 1)"
        return
      fi
    fi
  done
  if [ -n "$never" ]; then
    fail "$label: plain runs differ in every section" "sections the same in 10 plain runs: $(echo $never)"
  else
    fail "$label: plain runs differ" "10 plain runs printed the same"
  fi
}

# pair KEY I CLASS ARGS...: records (as lib.sh's record does, under a timeout), then replays the
# recording (under a timeout); writes "record-status replay-status" to KEY.I.status.
pair() {
  local key=$1 i=$2 tape rec rep s1=0 s2=0
  shift 2
  tape=$WORK/$key.$i.retrace rec=$WORK/$key.$i.rec.out rep=$WORK/$key.$i.rep.out
  timeout -k 10 120 "$RETRACE" record --java "$JDK/bin/java" -o "$tape" --force -- -cp "$WORK/classes" "$@" \
    >"$rec" 2>"$rec.err" || s1=$?
  if [ -f "$tape" ]; then
    timeout -k 10 60 "$tape" >"$rep" 2>"$rep.err" || s2=$?
  else
    s2=no-recording
    : >"$rep"
    : >"$rep.err"
  fi
  echo "$s1 $s2" >"$WORK/$key.$i.status"
}

# replays_identically KEY LABEL: one check over the RECORDINGS pairs of KEY.
replays_identically() {
  local key=$1 label=$2 i s1 s2 bad=0 first="" detail="" distinct
  for i in $(seq 1 "$RECORDINGS"); do
    read -r s1 s2 <"$WORK/$key.$i.status"
    if [ "$s1" != 0 ] || [ "$s1" != "$s2" ] || ! cmp -s "$WORK/$key.$i.rec.out" "$WORK/$key.$i.rep.out"; then
      bad=$((bad + 1))
      if [ -z "$first" ]; then
        first=$i
        detail="recording $i: exit $s1 when recorded, $s2 on replay"
        [ "$s1" != 0 ] && detail+=$'\n'"recording stderr: $(head -5 "$WORK/$key.$i.rec.out.err")"
        detail+=$'\n'"replay stderr:"$'\n'"$(head -10 "$WORK/$key.$i.rep.out.err")"
        # The diff: at most 6 lines of the recording's side, then what the replay printed instead.
        detail+=$'\n'"diff recorded replayed:"$'\n'"$(diff "$WORK/$key.$i.rec.out" "$WORK/$key.$i.rep.out" |
          awk '/^</ && n++ >= 6 { next } { print }' | head -16)"
      fi
    fi
  done
  distinct=$(for i in $(seq 1 "$RECORDINGS"); do md5sum <"$WORK/$key.$i.rec.out"; done | sort -u | wc -l)
  if [ $bad -eq 0 ]; then
    pass "$label: $RECORDINGS recordings replay identically ($distinct distinct outputs among them)"
  else
    fail "$label: $bad of $RECORDINGS recordings replay differently" "$detail"
  fi
}

for entry in "${programs[@]}"; do
  IFS='|' read -r key label command <<<"$entry"
  # shellcheck disable=SC2086
  plain_differs "$key" "$label" $command
done

# All pairs, PARALLEL at a time, recording by recording so that the programs mix. The shell's own
# stderr of each pair goes to a file too (a replay killed by a signal would make bash say so).
for i in $(seq 1 "$RECORDINGS"); do
  for entry in "${programs[@]}"; do
    IFS='|' read -r key label command <<<"$entry"
    # shellcheck disable=SC2086
    pair "$key" "$i" $command 2>"$WORK/$key.$i.pair.err" &
    [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ] && wait -n
  done
done
wait

for entry in "${programs[@]}"; do
  IFS='|' read -r key label command <<<"$entry"
  replays_identically "$key" "$label"
done

# The spin-wait has no scheduling point in its loop: the baton can only leave it by an escape, which
# the summary counts and flags as outside the determinism guarantee.
"$RETRACE" summary "$WORK/spin.1.retrace" >"$WORK/spin.summary" 2>&1
if grep -qi 'hand-overs:' "$WORK/spin.summary"; then
  pass "spin-wait: retrace summary counts the hand-overs"
  grep -iE 'hand-overs:|warning:' "$WORK/spin.summary" | sed 's/^ */       | /'
else
  fail "spin-wait: retrace summary counts the hand-overs" "$(cat "$WORK/spin.summary")"
fi
