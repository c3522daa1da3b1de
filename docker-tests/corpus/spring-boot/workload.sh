DESCRIPTION="Spring Boot 3 web app (embedded Tomcat, Jackson, @RestController) on 127.0.0.1 server.port=0: GETs, a JSON POST, a 404, SpringApplication.exit"
VERSIONS="spring-boot-starter-web 3.5.7"
workload_args() {
    ARGS=(-cp "$CP" corpus.BootApp)
}
# /work/findings/spring-boot.md
KNOWN_DIVERGENCE="17: event 14033/14034 of main, recording expected Object.hashCode, program asked for UnixFileSystem.getBooleanAttributes0; 25: event 11814, identity hash could not be set (hashed inside the JVM); an object already has an identity hash on replay that it did not have when recorded"
