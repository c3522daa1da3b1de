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
