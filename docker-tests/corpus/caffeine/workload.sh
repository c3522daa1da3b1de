# Caffeine, a concurrent cache: 4 threads on a bounded loading cache with expiry and refresh (its
# maintenance and refreshes on the ForkJoin common pool); the driver prints the statistics.
DESCRIPTION="caffeine: 4 threads on a bounded loading cache with expiry and refresh (common pool maintenance)"
VERSIONS="caffeine 3.1.8"
workload_args() {
  ARGS=(-cp "$CP" corpus.CaffeineDriver)
}
# The common pool's worker may still be refreshing entries when main returns: at VM exit it asks
# for more than the recording JVM let it, and replay lets it wait for the end as the recorded run
# ended (it diverged there, on JDK 25, before replay learned that).
