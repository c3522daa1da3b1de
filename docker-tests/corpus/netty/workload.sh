DESCRIPTION="Netty NIO transport (NioEventLoopGroup): a line echo server and client on 127.0.0.1:0 in one JVM, 200 random lines echoed reversed"
VERSIONS="netty-all 4.2.18.Final"
workload_args() {
    ARGS=(-cp "$CP" corpus.NettyEcho)
}
