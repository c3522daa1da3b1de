# Apache Commons Collections' own JUnit 4 tests (its published tests jar) for the bag package, run
# by the JUnit console launcher's vintage engine. The tests read their canonical serialised forms
# (data/test/*.obj, in the tests jar) from src/test/resources/ under the working directory.
DESCRIPTION="commons-collections4's own JUnit 4 tests (vintage engine), package bag: reflection, serialisation, files"
VERSIONS="commons-collections4 4.4, junit 4.13.2, junit-platform-console-standalone 1.12.2"
workload_args() {
  ARGS=(-cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner
    --disable-ansi-colors --details=summary --select-package org.apache.commons.collections4.bag)
}
workload_prepare() {
  local jar
  jar=$(tr : '\n' <<<"$CP" | grep 'commons-collections4-4.4-tests.jar$')
  rm -rf src && mkdir -p src/test/resources && (cd src/test/resources && unzip -qo "$jar" 'data/test/*')
}
