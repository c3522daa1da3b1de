# Shared helpers for the scenario tests. Each scenario's test.sh is sourced by ./run with
# SCENARIO_DIR (its sources), WORK (a fresh directory), JDK (the java.home recording the program)
# and RETRACE (the retrace CLI) set. A scenario states facts with check/check_same/check_differs.

JDK17=${RETRACE_JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${RETRACE_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

# check NAME COMMAND...: passes when the command succeeds.
check() {
  local name=$1
  shift
  if "$@" >"$WORK/check.out" 2>&1; then
    pass "$name"
  else
    fail "$name" "$(head -c 2000 "$WORK/check.out")"
  fi
}

pass() {
  PASSED=$((PASSED + 1))
  printf 'ok     %s [%s] %s\n' "$SCENARIO" "$JDK_NAME" "$1"
}

fail() {
  FAILED=$((FAILED + 1))
  printf 'FAILED %s [%s] %s\n' "$SCENARIO" "$JDK_NAME" "$1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       | /'
  return 0
}

# check_same NAME FILE1 FILE2: byte-identical files.
check_same() {
  if cmp -s "$2" "$3"; then
    pass "$1"
  else
    fail "$1" "$(diff "$2" "$3" | head -20)"
  fi
}

# check_differs NAME FILE1 FILE2: the files differ (the program is nondeterministic).
check_differs() {
  if cmp -s "$2" "$3"; then
    fail "$1" "both runs printed the same: the program is not nondeterministic here"
  else
    pass "$1"
  fi
}

# compile: javac the scenario's sources, and the shared ones in docker-tests/common, for Java 17,
# so the class files run on both JDKs; with -g, as a user's build has it, for debuggers.
compile() {
  mkdir -p "$WORK/classes"
  local sources=()
  for source in "$SCENARIO_DIR"/*.java "$SCENARIO_DIR"/../../common/*.java; do
    [ -f "$source" ] && sources+=("$source")
  done
  "$JDK17/bin/javac" --release 17 -g -d "$WORK/classes" "${sources[@]}"
}

# start_server OUT LINES CLASS [ARGS...]: starts CLASS in a plain JVM in the background, its
# stdout in OUT, and waits (up to 5 s) until it has printed LINES lines (its ports). Sets
# SERVER_PID; stop_server ends it.
start_server() {
  local out=$1 lines=$2
  shift 2
  "$JDK/bin/java" -cp "$WORK/classes" "$@" >"$out" 2>"$out.err" &
  SERVER_PID=$!
  for _ in $(seq 50); do
    [ "$(wc -l <"$out")" -ge "$lines" ] && break
    sleep 0.1
  done
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null || true
}

# plain OUT [java args...]: runs the program without the agent.
plain() {
  local out=$1
  shift
  "$JDK/bin/java" -cp "$WORK/classes" "$@" >"$out" 2>"$out.err"
}

# record TAPE OUT [retrace record options] -- [java args...]: records; returns the program's exit status.
record() {
  local tape=$1 out=$2
  shift 2
  "$RETRACE" record --java "$JDK/bin/java" -o "$tape" --force "$@" >"$out" 2>"$out.err"
}

# replay TAPE OUT: runs the recording as an executable file.
replay() {
  local tape=$1 out=$2
  "$tape" >"$out" 2>"$out.err"
}

# status_of OUT ERR COMMAND...: runs the command with its output in files; prints its exit status.
status_of() {
  local out=$1 err=$2 status=0
  shift 2
  "$@" >"$out" 2>"$err" || status=$?
  echo "$status"
}

# check_replay NAME TAPE RECORDED_OUT: replays TAPE; passes when it exits 0 and prints exactly
# what the recording printed.
check_replay() {
  local name=$1 tape=$2 recorded=$3 status=0
  replay "$tape" "$tape.replay.out" || status=$?
  if [ $status -eq 0 ] && cmp -s "$recorded" "$tape.replay.out"; then
    pass "$name"
  else
    fail "$name (exit $status)" "$(diff "$recorded" "$tape.replay.out" | head; head -5 "$tape.replay.out.err")"
  fi
}

# exit_status COMMAND...: prints the exit status of the command, whatever it is.
exit_status() {
  local status=0
  "$@" || status=$?
  echo "$status"
}

# no_stack_trace FILE: the file shows no Java or native stack trace and no JVM crash.
no_stack_trace() {
  ! grep -qE '^\s+at [a-zA-Z_$][a-zA-Z0-9_$.]*\(|Exception in thread|A fatal error has been detected|SIGSEGV|hs_err_pid' "$1"
}

# flip_byte FILE OFFSET: inverts every bit of one byte (writing a fixed value could leave it as it was).
flip_byte() {
  perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, $ARGV[1], 0); read($f, my $b, 1);
           seek($f, $ARGV[1], 0); print $f chr(ord($b) ^ 0xff); close $f' "$1" "$2"
}

# one_line FILE: exactly one line.
one_line() {
  [ "$(wc -l <"$1")" -eq 1 ]
}

# The system calls that create, change or delete files, for `strace -e trace="$FILE_CHANGES"`.
FILE_CHANGES=open,openat,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,truncate,ftruncate,link,linkat,symlink,symlinkat,chmod,fchmodat,utimensat

# check_changes_nothing LABEL STRACE_LOG: the traced run (strace -e trace="$FILE_CHANGES") created,
# changed and deleted no file: /dev/null, /dev/tty, /proc/self and calls that failed aside.
check_changes_nothing() {
  local label=$1 log=$2
  grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|unlink|rename|mkdir|rmdir|truncate|link\(|symlink|chmod|utimensat' "$log" |
    grep -vE '"/dev/(null|tty)"|"/proc/self/|= -1 E' >"$log.changes"
  if [ -s "$log.changes" ]; then
    fail "$label" "$(head -10 "$log.changes")"
  else
    pass "$label"
  fi
}

# check_opens_nothing_in LABEL DIR STRACE_LOG: the traced run touched nothing below DIR (calls
# that failed aside: a replay may look for a file that is gone).
check_opens_nothing_in() {
  local label=$1 dir=$2 log=$3
  grep -E '"'"$dir" "$log" | grep -v ' = -1 ' >"$log.touches"
  if [ -s "$log.touches" ]; then
    fail "$label" "$(head -5 "$log.touches")"
  else
    pass "$label"
  fi
}

# replay_offline LABEL TAPE RECORDED: replays TAPE with no network (unshare -n): it must exit 0,
# print RECORDED byte for byte, and (strace) connect to or send to nothing on the network. The
# JDK's libnet opens and closes a socket of each address family when it loads, to see which
# exist: that is not traffic, and not looked for.
replay_offline() {
  local label=$1 tape=$2 recorded=$3 status=0
  unshare -n "$tape" >"$tape.offline.out" 2>"$tape.offline.err" || status=$?
  check "$label: replay offline exits 0" test "$status" = 0
  check_same "$label: replay offline prints what was recorded" "$recorded" "$tape.offline.out"
  strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o "$tape.strace" unshare -n "$tape" >/dev/null 2>&1 || true
  check "$label: replay connects to and sends to nothing on the network (strace)" \
    sh -c '! grep -E "AF_INET|sin_port|sendto\(|sendmsg\(|sendmmsg\(" "$1"' - "$tape.strace"
}

# What each job of a runner took last time on this machine, in seconds (as CTest's cost data), so
# that the longest start first and the two cores do not end on one long job with the other idle.
COSTS=${RETRACE_COSTS:-$HOME/.cache/retrace-tests/costs}

# longest_first FILE JOB...: the jobs, one per line, longest first by FILE ("SECONDS<tab>JOB"
# lines); the jobs FILE does not have come first, in the order given.
longest_first() {
  local file=$1
  shift
  printf '%s\n' "$@" | awk -v costs="$file" -v OFS='\t' '
    BEGIN { while ((getline line <costs) > 0) { split(line, f, "\t"); cost[f[2]] = f[1] } }
    { print ($0 in cost ? cost[$0] : 1e9), NR, $0 }' | sort -t$'\t' -k1,1gr -k2,2n | cut -f3-
}

# costs_saved FILE LINE...: FILE takes these "SECONDS<tab>JOB" lines and keeps its others.
costs_saved() {
  local file=$1
  shift
  mkdir -p "$(dirname "$file")" &&
    { printf '%s\n' "$@"; if [ -f "$file" ]; then cat "$file"; fi; } | awk -F'\t' '!seen[$2]++' >"$file.$$" &&
    mv "$file.$$" "$file"
}

# side_by_side JOBS ALONE COUNT START ENDED PRINT: the runners' jobs 0..COUNT-1, started in order,
# JOBS at a time; the first ALONE run one at a time with nothing beside them (nor beside the first
# job after them). START K starts job K in the background, its output in a file of its own;
# ENDED K succeeds once job K has ended; PRINT K prints its lines and adds its counts. Jobs are
# printed in order, each as soon as it and every job before it have ended.
side_by_side() {
  local jobs=$1 alone=$2 count=$3 start=$4 ended=$5 print=$6 started=0 printed=0 limit
  while [ $printed -lt "$count" ]; do
    if [ $printed -lt $started ] && "$ended" $printed; then
      "$print" $printed
      printed=$((printed + 1))
      continue
    fi
    limit=$jobs
    [ $started -le "$alone" ] && limit=1
    if [ $started -lt "$count" ] && [ "$(jobs -rp | wc -l)" -lt "$limit" ]; then
      "$start" $started
      started=$((started + 1))
    else
      sleep 0.2
    fi
  done
  wait
}
