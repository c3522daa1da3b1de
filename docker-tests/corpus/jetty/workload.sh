DESCRIPTION="embedded Jetty 12 (core handler) on 127.0.0.1:0, java.net.http.HttpClient GETs, a POST echo and a 404 from the same JVM"
VERSIONS="jetty-server 12.1.13"
workload_args() {
    jetty_known_divergence
    ARGS=(-cp "$CP" corpus.JettyDriver)
}
# /work/findings/jetty.md. JDK 17 only (JDK 25 replays identically): KNOWN_DIVERGENCE is set in
# workload_args, which the runner calls per JDK with $JDK set, before it reads KNOWN_DIVERGENCE.
jetty_known_divergence() {
    case "$JDK" in
        *-17-*) KNOWN_DIVERGENCE="JDK 17, 7 of 10 replays: event 1531 of main, identity hash could not be set (it was locked, or hashed inside the JVM): ManagementFactoryHelper.class hashed while locked; its link-time mirror hash (event 748) is not restored on replay" ;;
        *) KNOWN_DIVERGENCE= ;;
    esac
}
