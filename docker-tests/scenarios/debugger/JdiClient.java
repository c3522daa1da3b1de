import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.IntegerValue;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import java.util.List;
import java.util.Map;

/**
 * A JDI client, as IDEs are: attaches to a replay waiting for a debugger (PORT), stops at
 * CLASS:LINE, invokes size() and get(0) on the local `points` (ObjectReference.invokeMethod, which
 * runs the methods in the replayed JVM) and toString() on the element, prints what it got, resumes,
 * and waits for the program to end. With --try-changes it first tries what a replay refuses: set
 * the local `seed`, set the static `counter`, pop the frame, and prints what the debugger says.
 */
public final class JdiClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String className = args[1];
    int line = Integer.parseInt(args[2]);
    boolean tryChanges = args.length > 3 && args[3].equals("--try-changes");
    AttachingConnector connector = Bootstrap.virtualMachineManager().attachingConnectors().stream()
        .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst().orElseThrow();
    Map<String, Connector.Argument> arguments = connector.defaultArguments();
    arguments.get("hostname").setValue("127.0.0.1");
    arguments.get("port").setValue(Integer.toString(port));
    VirtualMachine vm = connector.attach(arguments);
    ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
    prepare.addClassFilter(className);
    prepare.enable();
    // The VM waits suspended (suspend=y) and says so with a VMStart event: resuming that event's
    // set starts it. (A vm.resume() here as well would be a second resume, which could come after
    // the ClassPrepare stop and let the VM run past the breakpoint still being set.)
    while (true) {
      EventSet events = vm.eventQueue().remove(60_000);
      if (events == null) throw new IllegalStateException("no event within 60 s");
      for (Event event : events) {
        if (event instanceof ClassPrepareEvent prepared) {
          ReferenceType type = prepared.referenceType();
          Location at = type.locationsOfLine(line).get(0);
          BreakpointRequest breakpoint = vm.eventRequestManager().createBreakpointRequest(at);
          breakpoint.enable();
        } else if (event instanceof BreakpointEvent hit) {
          ThreadReference thread = hit.thread();
          StackFrame frame = thread.frame(0);
          if (tryChanges) {
            System.out.println("can redefine classes " + vm.canRedefineClasses() + ", pop frames " + vm.canPopFrames()
                + ", force early return " + vm.canForceEarlyReturn());
            System.out.println("set the local seed: "
                + attempt(() -> frame.setValue(frame.visibleVariableByName("seed"), vm.mirrorOf(0L))));
            ClassType race = (ClassType) hit.location().declaringType();
            Field counter = race.fieldByName("counter");
            System.out.println("set the static counter: " + attempt(() -> race.setValue(counter, vm.mirrorOf(99))));
            System.out.println("pop the frame: " + attempt(() -> thread.popFrames(frame)));
          }
          ObjectReference points = (ObjectReference) frame.getValue(frame.visibleVariableByName("points"));
          Method size = points.referenceType().methodsByName("size", "()I").get(0);
          Method get = points.referenceType().methodsByName("get", "(I)Ljava/lang/Object;").get(0);
          Value count = points.invokeMethod(thread, size, List.of(), ObjectReference.INVOKE_SINGLE_THREADED);
          IntegerValue zero = vm.mirrorOf(0);
          ObjectReference first = (ObjectReference) points.invokeMethod(thread, get, List.of(zero),
              ObjectReference.INVOKE_SINGLE_THREADED);
          Method toString = first.referenceType().methodsByName("toString", "()Ljava/lang/String;").get(0);
          Value text = first.invokeMethod(thread, toString, List.of(), ObjectReference.INVOKE_SINGLE_THREADED);
          System.out.println("stopped at " + hit.location().declaringType().name() + ":" + hit.location().lineNumber()
              + " in " + thread.name());
          System.out.println("points.size() = " + count);
          System.out.println("points.get(0).toString() = " + text);
        } else if (event instanceof VMDeathEvent || event instanceof VMDisconnectEvent) {
          System.out.println("the program ended");
          return;
        }
      }
      events.resume();
    }
  }

  interface Change {
    void run() throws Exception;
  }

  /** "done", or "refused (the exception the debugger got)". */
  static String attempt(Change change) {
    try {
      change.run();
      return "done";
    } catch (Exception e) {
      return "refused (" + e.getClass().getSimpleName() + ")";
    }
  }
}
