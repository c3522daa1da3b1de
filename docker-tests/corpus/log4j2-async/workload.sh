DESCRIPTION="Log4j 2 all-async loggers (LMAX Disruptor): three threads logging with MDC to stdout and a size-rolling gzip file appender in \$WORK"
VERSIONS="log4j-core 2.25.2, disruptor 4.0.0"
workload_prepare() {
    rm -rf "$WORK/logs"
    cat > "$WORK/log4j2.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %X{worker} %c{1} - %m%n"/>
    </Console>
    <RollingRandomAccessFile name="file" fileName="logs/app.log" filePattern="logs/app-%i.log.gz">
      <PatternLayout pattern="%d{ISO8601} %pid %-5level [%t] %X{worker} %c - %m%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 KB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingRandomAccessFile>
  </Appenders>
  <Loggers>
    <Root level="debug">
      <AppenderRef ref="out" level="info"/>
      <AppenderRef ref="file"/>
    </Root>
  </Loggers>
</Configuration>
XML
}
workload_args() {
    ARGS=(-cp "$CP" -Dlog4j2.contextSelector=org.apache.logging.log4j.core.async.AsyncLoggerContextSelector
          -Dlog4j2.configurationFile="$WORK/log4j2.xml" corpus.Log4jAsync)
}
# findings/log4j2-async.md (2026-12-03): one replay of 2 in a CI run diverged on JDK 25 (the replay
# hashed a class mirror inside MethodType interning where the recording had none to hash); 20 of 20
# in the loop run before it, 15 of 15 by hand after. Suspected: a java.lang.invoke cache the
# collector cleared in one replay and not in the other.
KNOWN_DIVERGENCE="replay-dependent, rare (1 of 37 replays seen on JDK 25): an identity hash of a class mirror inside MethodType interning that the recording did not need"
KNOWN_DIVERGENCE_JDKS="25"
KNOWN_INTERMITTENT=1
