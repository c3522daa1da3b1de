# jackson-databind: 3 threads sharing one ObjectMapper round-trip random records (lists, maps,
# non-ASCII strings) through JSON bytes and the JsonNode tree.
DESCRIPTION="jackson-databind: 3 threads, one ObjectMapper, random records to JSON and back (bytes, JsonNode)"
VERSIONS="jackson-databind 2.18.2"
workload_args() {
  ARGS=(-cp "$CP" corpus.JacksonDriver)
}
# Preempted at method entries (docs/threads.md): without it the pool threads escape, and their
# replay takes another interleaving (findings/jackson-databind.md).
RECORD_OPTIONS=(--preempt)
