package dev.retrace.junit;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Tells the Retrace agent how each test of a JUnit Platform run ended.
 *
 * <p>The agent puts lib/retrace-junit.jar on the system class path when it keeps only the
 * recordings of failed runs ({@code save_on=failure}), and the JUnit launcher finds this listener
 * through {@code ServiceLoader}. A Maven Surefire fork exits with status 0 when its tests fail, so
 * the exit status cannot tell the agent; this listener does. On replay the agent prints the same
 * reports, because a fork's own output is Surefire's event channel to Maven, not text.
 *
 * <p>The reports are built in both sessions alike, so they are part of the replayed program: a
 * replay prints what the recorded run computed. Passed tests are not listed one by one: a line per
 * test class and a last line give Surefire's counts, and each failure has Surefire's one-line form
 * followed by its stack trace.
 */
public final class TestOutcomeListener implements TestExecutionListener {
    /** Surefire's counts: every test is run; failures are assertion errors, errors the rest. */
    private static final class Counts {
        int run;
        int failures;
        int errors;
        int skipped;

        void add(TestExecutionResult.Status status, boolean assertion) {
            run++;
            if (status == TestExecutionResult.Status.FAILED && assertion) failures++;
            if (status == TestExecutionResult.Status.FAILED && !assertion) errors++;
            if (status == TestExecutionResult.Status.ABORTED) skipped++;
        }

        String line() {
            return "Tests run: " + run + ", Failures: " + failures + ", Errors: " + errors + ", Skipped: " + skipped;
        }
    }

    private final Counts total = new Counts();
    private final Map<String, Counts> byClass = new HashMap<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (!test.isTest()) return;
        count(test, TestExecutionResult.Status.ABORTED, false);
        report("skipped " + nameOf(test) + (reason == null || reason.isEmpty() ? "" : ": " + reason), false);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        Throwable thrown = result.getThrowable().orElse(null);
        boolean assertion = thrown instanceof AssertionError;
        TestExecutionResult.Status status = result.getStatus();
        // A failed container (a @BeforeAll that threw) counts as one test in error, as in Surefire.
        if (test.isTest() || status == TestExecutionResult.Status.FAILED) count(test, status, assertion);
        if (status == TestExecutionResult.Status.ABORTED && test.isTest()) {
            report("aborted " + nameOf(test) + (thrown == null ? "" : ": " + thrown), false);
        } else if (status == TestExecutionResult.Status.FAILED) {
            StringBuilder text = new StringBuilder("FAILED ").append(nameOf(test)).append('\n');
            text.append("  ").append(shortLine(test, thrown, assertion));
            if (thrown != null) text.append('\n').append(stackTraceOf(thrown));
            report(text.toString(), true);
        }
        if (test.getSource().orElse(null) instanceof ClassSource source) {
            Counts counts = byClass.remove(source.getClassName());
            if (counts != null) report(counts.line() + " -- in " + source.getClassName(), false);
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        report(total.line(), false);
    }

    private void count(TestIdentifier test, TestExecutionResult.Status status, boolean assertion) {
        total.add(status, assertion);
        TestSource source = test.getSource().orElse(null);
        String className = source instanceof MethodSource method ? method.getClassName()
                : source instanceof ClassSource type ? type.getClassName() : null;
        if (className != null) byClass.computeIfAbsent(className, name -> new Counts()).add(status, assertion);
    }

    private static String nameOf(TestIdentifier test) {
        Optional<TestSource> source = test.getSource();
        if (source.isPresent() && source.get() instanceof MethodSource method) {
            String display = test.getDisplayName();
            if (display.startsWith(method.getMethodName() + "(")) return method.getClassName() + "." + display;
            return method.getClassName() + "." + method.getMethodName() + "() [" + display + "]";
        }
        return test.getDisplayName();
    }

    /** Surefire's one-line form: SimpleClass.method:line message (» ExceptionType for errors). */
    private static String shortLine(TestIdentifier test, Throwable thrown, boolean assertion) {
        String where = test.getDisplayName();
        Optional<TestSource> source = test.getSource();
        if (source.isPresent() && source.get() instanceof MethodSource method) {
            String className = method.getClassName();
            where = className.substring(className.lastIndexOf('.') + 1) + "." + method.getMethodName();
            if (thrown != null) {
                for (StackTraceElement frame : thrown.getStackTrace()) {
                    if (frame.getClassName().equals(className) && frame.getMethodName().equals(method.getMethodName())) {
                        where += ":" + frame.getLineNumber();
                        break;
                    }
                }
            }
        }
        if (thrown == null) return where;
        String message = thrown.getMessage() == null ? "" : thrown.getMessage();
        return assertion ? where + " " + message : where + " » " + thrown.getClass().getSimpleName() + " " + message;
    }

    private static String stackTraceOf(Throwable thrown) {
        StringBuilder text = new StringBuilder(thrown.toString());
        for (StackTraceElement frame : thrown.getStackTrace()) text.append("\n\tat ").append(frame);
        Throwable cause = thrown.getCause();
        for (int depth = 0; cause != null && depth < 16; cause = cause.getCause(), depth++) {
            text.append("\nCaused by: ").append(cause);
            for (StackTraceElement frame : cause.getStackTrace()) text.append("\n\tat ").append(frame);
        }
        return text.toString();
    }

    private static void report(String text, boolean failed) {
        try {
            report0(text, failed);
        } catch (UnsatisfiedLinkError noAgent) {
            // The jar on a class path without the agent: nothing to tell.
        }
    }

    /** Bound to libretrace.so, which the JVM searches for natives as an agent library. */
    private static native void report0(String text, boolean failed);
}
