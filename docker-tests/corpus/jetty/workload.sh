DESCRIPTION="embedded Jetty 12 (core handler) on 127.0.0.1:0, java.net.http.HttpClient GETs, a POST echo and a 404 from the same JVM"
VERSIONS="jetty-server 12.1.13"
workload_args() {
    ARGS=(-cp "$CP" corpus.JettyDriver)
}
