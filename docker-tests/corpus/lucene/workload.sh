DESCRIPTION="Lucene 9: 4000 generated documents indexed into FSDirectory.open(./index) (commits, forceMerge), parsed queries, a point range with a sort"
VERSIONS="lucene-core lucene-queryparser lucene-analysis-common 9.12.3"
workload_prepare() {
    rm -rf "$WORK/index"
}
workload_args() {
    ARGS=(-cp "$CP" corpus.LuceneDriver)
}
