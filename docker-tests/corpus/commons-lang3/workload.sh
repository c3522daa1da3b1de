# Apache Commons Lang's own JUnit 5 tests (its published tests jar), five classes, under the JUnit
# console launcher: random strings and numbers, StringUtils, SystemUtils
# (system properties, environment), ObjectUtils (identity hash codes, clones).
DESCRIPTION="commons-lang3's own JUnit 5 tests: RandomStringUtils, RandomUtils, StringUtils, SystemUtils, ObjectUtils"
VERSIONS="commons-lang3 3.17.0, junit-platform-console-standalone 1.12.2"
workload_args() {
  ARGS=(-cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner
    --disable-ansi-colors --details=summary)
  local class
  for class in RandomStringUtilsTest RandomUtilsTest StringUtilsTest SystemUtilsTest ObjectUtilsTest; do
    ARGS+=(--select-class "org.apache.commons.lang3.$class")
  done
}
