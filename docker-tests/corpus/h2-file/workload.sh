DESCRIPTION="H2 embedded file database (MVStore, file locks): DDL, 5500 random rows in batches, joins, aggregates, SHUTDOWN"
VERSIONS="h2 2.3.232"
workload_prepare() {
    rm -rf "$WORK/data"
}
workload_args() {
    ARGS=(-cp "$CP" corpus.H2File)
}
