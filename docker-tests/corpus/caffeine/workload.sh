# Caffeine, a concurrent cache: 4 threads on a bounded loading cache with expiry and refresh (its
# maintenance and refreshes on the ForkJoin common pool); the driver prints the statistics.
DESCRIPTION="caffeine: 4 threads on a bounded loading cache with expiry and refresh (common pool maintenance)"
VERSIONS="caffeine 3.1.8"
workload_args() {
  ARGS=(-cp "$CP" corpus.CaffeineDriver)
}
