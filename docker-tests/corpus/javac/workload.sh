# javac: the JDK's own compiler in the recorded JVM (javax.tools), compiling 20 generated source
# files; the driver prints javac's messages, the class files and the time javac took.
DESCRIPTION="javac (the JDK's compiler, javax.tools) compiling a generated 20-file project"
VERSIONS="javac of the JDK in use"
workload_args() {
  ARGS=(-cp "$CP" corpus.JavacDriver)
}
workload_prepare() {
  rm -rf src out
}
