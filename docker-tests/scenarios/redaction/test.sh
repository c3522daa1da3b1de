# Redaction: a recording made with AWS_SECRET_ACCESS_KEY and -Dpassword set holds neither value
# (checked by decoding it through the tape library: its packed encoding splits strings, so grep
# on the file proves nothing), and replays byte for byte, because the program saw the placeholder
# too: getenv, the getenv() map, getProperty, the Properties object and a child JVM all print the
# placeholder's length and hash. The same recording made with --no-default-redact holds both
# values (so the decoding check can fail). retrace scan finds the secrets planted in the
# environment, the properties and a file the program read, and exits 1; on a redacted recording
# of a file without secrets it finds nothing and exits 0.
# Fixed lengths (40 and 18), neither the placeholder's 16, so that lengths alone tell them apart.
secret_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY$(printf '%05d%05d' $RANDOM $RANDOM)
secret_password=hunter2-$(printf '%05d%05d' $RANDOM $RANDOM)
dist=$(dirname "$(dirname "$RETRACE")")
decode() {  # decode TAPE OUT: every string of the recording, decoded by the tape library
  "$JDK25/bin/java" --enable-native-access=ALL-UNNAMED -Dretrace.dist="$dist" \
    -cp "$dist/lib/retrace-facade.jar:$dist/lib/jackson-core.jar:$dist/lib/jackson-databind.jar:$dist/lib/jackson-annotations.jar" \
    "$SCENARIO_DIR/decode/DecodeRecording.java" "$1" >"$2" 2>"$2.err"
}
holds() {  # holds FILE TEXT: the decoded recording contains TEXT
  grep -qF -- "$2" "$1"
}

printf 'plain data, nothing to hide\n' >"$WORK/plain.txt"
printf -- '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n' >"$WORK/key.pem"

# Plain run: what the program prints when it sees the real values.
AWS_SECRET_ACCESS_KEY=$secret_key SCENARIO_PLAIN=visible "$JDK/bin/java" -Dpassword="$secret_password" \
  -Dscenario.plain=visible -cp "$WORK/classes" Secrets "$WORK/plain.txt" >"$WORK/plain.out" 2>&1

# Redacted by default.
AWS_SECRET_ACCESS_KEY=$secret_key SCENARIO_PLAIN=visible record "$WORK/run.retrace" "$WORK/rec.out" -- \
  -Dpassword="$secret_password" -Dscenario.plain=visible -cp "$WORK/classes" Secrets "$WORK/plain.txt"
status=$?
check "the redacted recording exits 0" test "$status" = 0
check "the program saw the placeholder, not the key (getenv)" \
  grep -qx "getenv AWS_SECRET_ACCESS_KEY set, 16 chars, sha256 .*" "$WORK/rec.out"
check "the program saw the same placeholder through the getenv() map and for the password" sh -c \
  '[ "$(grep -E "^(getenv|getenv\(\) map) AWS_SECRET_ACCESS_KEY|^getPropert(y|ies) password" "$1" | sed "s/^.* set/set/" | sort -u | wc -l)" = 1 ]' \
  - "$WORK/rec.out"
check "the child JVM saw the placeholder in its environment and its -Dpassword" sh -c \
  '[ "$(grep -E "^child (AWS_SECRET_ACCESS_KEY|password) set, 16 chars" "$1" | wc -l)" = 2 ]' - "$WORK/rec.out"
check "values not named like secrets are untouched" sh -c \
  'grep -qx "getenv SCENARIO_PLAIN set, 7 chars, sha256 .*" "$1" && grep -qx "getProperty scenario.plain set, 7 chars, sha256 .*" "$1"' \
  - "$WORK/rec.out"
check "a plain run saw the real values (the hashes differ)" sh -c \
  '! grep -q "^getenv AWS_SECRET_ACCESS_KEY set, 16 chars" "$1" && ! grep -q "^getProperty password set, 16 chars" "$1"' \
  - "$WORK/plain.out"
decode "$WORK/run.retrace" "$WORK/run.decoded"
check "the recording decodes" sh -c '[ -s "$1" ] && grep -q " env SCENARIO_PLAIN=visible" "$1"' - "$WORK/run.decoded"
check "the decoded recording does not hold the AWS key anywhere" sh -c '! grep -qF -- "$2" "$1"' - "$WORK/run.decoded" "$secret_key"
check "the decoded recording does not hold the password anywhere" sh -c '! grep -qF -- "$2" "$1"' - "$WORK/run.decoded" "$secret_password"
check "its start has the placeholder in the environment, the properties and the command line" sh -c \
  'grep -q " env AWS_SECRET_ACCESS_KEY=RETRACE_REDACTED$" "$1" && grep -q " property password=RETRACE_REDACTED$" "$1" &&
   grep -q " argv -Dpassword=RETRACE_REDACTED$" "$1"' - "$WORK/run.decoded"
check "the recording says what it redacted" grep -q "agentOptions .*,redacted=\*PASSWORD\*:" "$WORK/run.decoded"
status=$(status_of "$WORK/replay.out" "$WORK/replay.err" env -u AWS_SECRET_ACCESS_KEY "$WORK/run.retrace")
check "the replay exits as recorded (0)" test "$status" = 0
check_same "the replay's stdout is the recording's, byte for byte" "$WORK/rec.out" "$WORK/replay.out"
grep -v '^retrace record: ' "$WORK/rec.out.err" >"$WORK/rec.program.err"
check_same "the replay's stderr is the recording's, byte for byte" "$WORK/rec.program.err" "$WORK/replay.err"
status=$(status_of "$WORK/scan.out" "$WORK/scan.err" "$RETRACE" scan "$WORK/run.retrace")
check "scan of the redacted recording finds nothing and exits 0" sh -c '[ "$1" = 0 ] && [ ! -s "$2" ]' - "$status" "$WORK/scan.out"
check "scan counts the redacted values" grep -q "nothing that looks like a secret in .* redacted value" "$WORK/scan.err"

# The same run with --no-default-redact: the decoding check finds both values, scan lists them.
AWS_SECRET_ACCESS_KEY=$secret_key record "$WORK/open.retrace" "$WORK/open.out" --no-default-redact -- \
  -Dpassword="$secret_password" -cp "$WORK/classes" Secrets "$WORK/key.pem"
decode "$WORK/open.retrace" "$WORK/open.decoded"
check "without redaction the decoded recording holds the AWS key" holds "$WORK/open.decoded" "$secret_key"
check "without redaction the decoded recording holds the password" holds "$WORK/open.decoded" "$secret_password"
check "without redaction the program saw the real values" sh -c \
  '! grep -q "^getenv AWS_SECRET_ACCESS_KEY set, 16 chars" "$1"' - "$WORK/open.out"
check_replay "the unredacted recording replays byte-identical" "$WORK/open.retrace" "$WORK/open.out"
status=$(status_of "$WORK/scan-open.out" "$WORK/scan-open.err" "$RETRACE" scan "$WORK/open.retrace")
check "scan of the unredacted recording exits 1" test "$status" = 1
check "scan finds the key in the start environment" grep -q "^[0-9]* start env AWS_SECRET_ACCESS_KEY: secret name: wJal\*" "$WORK/scan-open.out"
check "scan finds the key in the program's environment read" \
  grep -q "^[0-9]* event main#[0-9]* java.lang.ProcessEnvironment.environ()\[\[B variable AWS_SECRET_ACCESS_KEY: secret name" "$WORK/scan-open.out"
check "scan finds the password in the start properties and the command line" sh -c \
  'grep -q "^[0-9]* start property password: secret name: hunt\*" "$1" && grep -q "^[0-9]* start argv\[[0-9]*\]: secret name: hunt\*" "$1"' \
  - "$WORK/scan-open.out"
check "scan finds the private key in the bytes of the file read" \
  grep -q "^[0-9]* event main#[0-9]* .*read.* data: private key (PEM): -----BEGIN RSA PRIVATE KEY-----" "$WORK/scan-open.out"
check "scan's previews mask the values" sh -c '! grep -qF -- "$2" "$1" && ! grep -qF -- "$3" "$1"' - \
  "$WORK/scan-open.out" "$secret_key" "$secret_password"
check "scan says how many findings" grep -q "^retrace scan: [0-9]* findings in " "$WORK/scan-open.err"

# --redact adds a name; bad patterns and unreadable files are one line.
SCENARIO_PLAIN=visible record "$WORK/own.retrace" "$WORK/own.out" --redact 'scenario_*' -- \
  -Dscenario.plain=visible -cp "$WORK/classes" Secrets "$WORK/plain.txt"
check "--redact 'scenario_*' redacts SCENARIO_PLAIN for the program" \
  grep -qx "getenv SCENARIO_PLAIN set, 16 chars, sha256 .*" "$WORK/own.out"
check "--redact 'scenario_*' leaves scenario.plain (no underscore) alone" \
  grep -qx "getProperty scenario.plain set, 7 chars, sha256 .*" "$WORK/own.out"
check_replay "the --redact recording replays byte-identical" "$WORK/own.retrace" "$WORK/own.out"
status=$(status_of "$WORK/bad.out" "$WORK/bad.err" "$RETRACE" record -o "$WORK/bad.retrace" --redact 'a,b' -- -version)
check "--redact 'a,b' is a usage error with one clear line" sh -c \
  '[ "$1" = 2 ] && head -1 "$2" | grep -q "^retrace record: --redact .a,b. is not a name pattern" && [ ! -e "$3" ]' \
  - "$status" "$WORK/bad.err" "$WORK/bad.retrace"
status=$(status_of "$WORK/scan-bad.out" "$WORK/scan-bad.err" "$RETRACE" scan "$WORK/plain.txt")
check "scan of a file that is not a recording exits 122 with one line" sh -c \
  '[ "$1" = 122 ] && [ "$(wc -l <"$2")" = 1 ]' - "$status" "$WORK/scan-bad.err"
