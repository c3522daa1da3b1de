DESCRIPTION="Maven 3.9.9 itself (MavenCli from maven-embedder), offline: builds a tiny project in \$WORK (resources, compiler plugin running javac in-process)"
VERSIONS="maven-embedder maven-core 3.9.9, maven-resources-plugin 3.3.1, maven-compiler-plugin 3.13.0"
workload_prepare() {
    rm -rf "$WORK/proj"
    mkdir -p "$WORK/proj/src/main/java/demo" "$WORK/proj/src/main/resources"
    cat > "$WORK/proj/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId>
  <artifactId>tiny</artifactId>
  <version>1.0</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
    </plugins>
  </build>
</project>
POM
    cat > "$WORK/proj/src/main/java/demo/Hello.java" <<'JAVA'
package demo;

import java.util.List;
import java.util.stream.Collectors;

public class Hello {
    record Point(int x, int y) {}

    public static void main(String[] args) {
        List<Point> points = List.of(new Point(1, 2), new Point(3, 4));
        System.out.println(points.stream().map(Point::toString).collect(Collectors.joining(", ")));
    }
}
JAVA
    cat > "$WORK/proj/src/main/java/demo/Util.java" <<'JAVA'
package demo;

public final class Util {
    private Util() {}

    public static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
JAVA
    echo "greeting=hello" > "$WORK/proj/src/main/resources/app.properties"
}
workload_args() {
    # Maven prints its total time and the wall-clock time it finished at: the plain runs differ.
    # The SLF4J settings are those of Maven's conf/logging/simplelogger.properties: the build log
    # on stdout, as the mvn script gives it.
    ARGS=(-cp "$CP" -Dmaven.multiModuleProjectDirectory="$WORK/proj" -Dstyle.color=never
          -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=false
          -Dorg.slf4j.simpleLogger.showThreadName=false -Dorg.slf4j.simpleLogger.showLogName=false
          -Dorg.slf4j.simpleLogger.logFile=System.out -Dorg.slf4j.simpleLogger.cacheOutputStream=true
          -Dorg.slf4j.simpleLogger.levelInBrackets=true -Dorg.slf4j.simpleLogger.log.Sisu=info
          -Dorg.slf4j.simpleLogger.warnLevelString=WARNING
          org.apache.maven.cli.MavenCli -B -o -ntp -f "$WORK/proj/pom.xml" compile)
}
# findings/maven.md: Sisu's bean cache holds its values weakly, and what the collector cleared decided
# whether Maven looked a bean up again (JDK 25, most replays): recorded with --keep-references.
RECORD_OPTIONS=(--keep-references)
