DESCRIPTION="Quartz scheduler (RAMJobStore, 3 worker threads): three jobs on repeating 40-80 ms triggers until they have all fired, then shutdown"
VERSIONS="quartz 2.5.0"
workload_args() {
    ARGS=(-cp "$CP" corpus.QuartzDriver)
}
