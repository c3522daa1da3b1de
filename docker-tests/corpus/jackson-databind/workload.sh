# jackson-databind: 3 threads sharing one ObjectMapper round-trip random records (lists, maps,
# non-ASCII strings) through JSON bytes and the JsonNode tree.
DESCRIPTION="jackson-databind: 3 threads, one ObjectMapper, random records to JSON and back (bytes, JsonNode)"
VERSIONS="jackson-databind 2.18.2"
workload_args() {
  ARGS=(-cp "$CP" corpus.JacksonDriver)
}
KNOWN_DIVERGENCE="replay diverged at event N of a pool thread: the recording expected no more events (or another call), the program asked for java.lang.Object.hashCode()I in ZipFile.getInputStream under class loading: a class is loaded on another thread than when recording; the interleaving departs between scheduling points, with the JIT (identical with -Xint and --escape-after 0); see findings/jackson-databind.md"
KNOWN_INTERMITTENT=1  # most recordings diverge, not all: a clean run is no news
