DESCRIPTION="Lucene 9: 4000 generated documents indexed into FSDirectory.open(./index) (commits, forceMerge), parsed queries, a point range with a sort"
VERSIONS="lucene-core lucene-queryparser lucene-analysis-common 9.12.3"
workload_prepare() {
    rm -rf "$WORK/index"
}
workload_args() {
    ARGS=(-cp "$CP" corpus.LuceneDriver)
}
# /work/findings/lucene.md
KNOWN_DIVERGENCE="event 2918 (17) / 3327 (25) of main: recording expected Object.hashCode, program asked for FileDispatcherImpl.write0; FileChannel.map (map0) of the replay's /dev/null stand-in fails with ENODEV, MMapDirectory.openInput throws"
