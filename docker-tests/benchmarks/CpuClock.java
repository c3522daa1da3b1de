import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time for the benchmarks: the calling thread's, and the whole process's (which includes the
 * agent's background writer, the JIT compilers and the GC). Neither is a recorded boundary call,
 * so a program that prints them would diverge on replay: the benchmarks only ask for them (the
 * {@code cpu} argument) in runs that are not replayed.
 */
final class CpuClock {
  private final boolean on;
  private final ThreadMXBean threads;
  private final com.sun.management.OperatingSystemMXBean os;
  private long thread0;
  private long process0;

  CpuClock(boolean on) {
    this.on = on;
    this.threads = on ? ManagementFactory.getThreadMXBean() : null;
    this.os = on ? (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean() : null;
  }

  void start() {
    if (!on) return;
    process0 = os.getProcessCpuTime();
    thread0 = threads.getCurrentThreadCpuTime();
  }

  /** " cpu_ns=T pcpu_ns=P" since start(), or "" when off. */
  String stop() {
    if (!on) return "";
    long thread = threads.getCurrentThreadCpuTime() - thread0;
    long process = os.getProcessCpuTime() - process0;
    return " cpu_ns=" + thread + " pcpu_ns=" + process;
  }
}
