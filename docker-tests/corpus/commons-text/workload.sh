# Apache Commons Text's own JUnit 5 tests (its published tests jar, assertj): the similarity
# package (edit distances, Jaro-Winkler, cosine, fuzzy scores) and the random string generator.
DESCRIPTION="commons-text's own JUnit 5 tests: package similarity, RandomStringGenerator"
VERSIONS="commons-text 1.12.0, junit-platform-console-standalone 1.12.2"
workload_args() {
  ARGS=(-cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner
    --disable-ansi-colors --details=summary --select-package org.apache.commons.text.similarity
    --select-class org.apache.commons.text.RandomStringGeneratorTest)
}
