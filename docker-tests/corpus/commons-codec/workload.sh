# Apache Commons Codec's own JUnit 5 tests (its published tests jar): Hex, binary strings, message
# digests of strings, streams, files and paths (the test files come from the tests jar into
# src/test/resources/), Soundex, URL encoding. Not Base64Test: its testCodec265
# encodes 1 GiB and needs about 5.4 GB of the default heap (6.3 GB here), takes 25 s, and ran out
# of heap when recorded (see the findings' commons-codec.md).
DESCRIPTION="commons-codec's own JUnit 5 tests: Hex, BinaryCodec, DigestUtils (files, streams), Soundex, URLCodec"
VERSIONS="commons-codec 1.17.1, junit-platform-console-standalone 1.12.2"
workload_args() {
  ARGS=(-cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner
    --disable-ansi-colors --details=summary)
  local class
  for class in binary.HexTest binary.BinaryCodecTest digest.DigestUtilsTest \
    language.SoundexTest net.URLCodecTest; do
    ARGS+=(--select-class "org.apache.commons.codec.$class")
  done
}
workload_prepare() {
  local jar
  jar=$(tr : '\n' <<<"$CP" | grep 'commons-codec-1.17.1-tests.jar$')
  rm -rf src && mkdir -p src/test/resources &&
    (cd src/test/resources && unzip -qo "$jar" 'org/apache/commons/codec/*' -x '*.class')
}
