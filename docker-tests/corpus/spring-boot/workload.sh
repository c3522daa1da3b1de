DESCRIPTION="Spring Boot 3 web app (embedded Tomcat, Jackson, @RestController) on 127.0.0.1 server.port=0: GETs, a JSON POST, a 404, SpringApplication.exit"
VERSIONS="spring-boot-starter-web 3.5.7"
workload_args() {
    ARGS=(-cp "$CP" corpus.BootApp)
}
