DESCRIPTION="HikariCP pool over H2 in-memory: 4 worker threads borrowing 3 pooled connections, 400 inserts, housekeeper and leak detection on"
VERSIONS="HikariCP 6.3.0, h2 2.3.232"
workload_args() {
    ARGS=(-cp "$CP" corpus.HikariDriver)
}
