# Gson: 20,000 random objects (nested lists, maps, arrays) to JSON through reflection and back.
DESCRIPTION="gson: 20,000 random objects to JSON and back (reflection, TypeToken)"
VERSIONS="gson 2.11.0"
workload_args() {
  ARGS=(-cp "$CP" corpus.GsonDriver)
}
