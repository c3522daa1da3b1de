DESCRIPTION="H2 TCP server inside the JVM on 127.0.0.1 (free port), two JDBC clients over it: batches and queries on an in-memory database"
VERSIONS="h2 2.3.232"
workload_args() {
    ARGS=(-Dh2.bindAddress=127.0.0.1 -cp "$CP" corpus.H2Tcp)
}
