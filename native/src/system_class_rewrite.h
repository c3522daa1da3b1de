// java.lang.System's clocks are JIT intrinsics: compiled code reads the clock directly and never
// reaches a bound native. HotSpot matches the intrinsics only to *native* methods named nanoTime
// and currentTimeMillis, so at System's (early) load we turn each into a Java method that calls
// the renamed native retrace$nanoTime, which binds to the original entry point through
// SetNativeMethodPrefix and then to our trampoline. No JVM flag is needed.
#pragma once

#include <jvmti.h>

#include <string>

namespace retrace::agent {

/**
 * With `preemption`, System also gets the tick counter and its method (preemption.h); with
 * `progressHooks` (a replay a debugger drives), what progress_points.h needs.
 */
bool rewriteSystemClass(jvmtiEnv* jvmti, const char* prefix, bool preemption, bool progressHooks,
                        const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                        std::string& error);

/**
 * JDK code by its package, whichever loader defines it: the platform loader's modules, and the
 * reflection accessors JDK 17 generates (jdk.internal.reflect.GeneratedMethodAccessorN, defined
 * by a loader of their own after a method has been called 15 times through reflection). Those
 * get no ticks: how many calls go through a generated accessor depends on when the collector
 * cleared a class's cached reflection data (a SoftReference), and so would the ticks.
 */
bool isJdkClass(const char* name);

/**
 * A class not loaded by the boot loader gets a call to System.retrace$tick() at each method's
 * entry (preemption.h), and with `fieldAccesses` before each field and array access too
 * (preempt=fields). False with `error` set when it cannot be parsed; it then loads unchanged.
 */
bool addTicks(jvmtiEnv* jvmti, const unsigned char* data, jint length, bool fieldAccesses, unsigned char** newData,
              jint* newLength, std::string& error);

/**
 * java/lang/ref/WeakReference or SoftReference with a field that holds the referent strongly
 * (keepReferents in classfile_rewriter.h): the collector clears none of them. False with `error`.
 */
bool keepReferentsOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                     std::string& error);

/**
 * java/lang/ref/Reference with a call to its new native retrace$cleared at the entry of
 * enqueueFromPending() (noteClearedReferences in classfile_rewriter.h, cleared_references.h).
 */
bool noteClearedReferencesOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData,
                             jint* newLength, std::string& error);

/**
 * java/lang/ref/Finalizer with a call to jdk.internal.misc.VM.initLevel() at the entry of its static
 * initialiser, which the JVM runs on `main` at start-up and which on JDK 17 starts the Finalizer
 * thread. That thread's first call is VM.initLevel(), and `main` needs VM a moment later
 * (System.initPhase1): whichever comes first links VM, and JDK 17 gives a class's mirror its
 * identity hash while linking it, from the linking thread's hash sequence. When `main` linked VM,
 * every later hash `main` generated was one step further along its sequence than in a run where
 * the Finalizer thread did, so the hashes the agent cannot set yet at start-up (the module
 * system's, the mirrors of the JDK classes linked before VMInit) came out otherwise on replay.
 * With the call, `main` links VM before the Finalizer thread exists, in every run. JDK 25 starts
 * that thread later and does not hash mirrors while linking: there VM is only initialised a
 * little earlier. False with `error`.
 */
bool initVmBeforeFinalizerOf(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData,
                             jint* newLength, std::string& error);

/**
 * The JDK classes whose clock readings feed only the JVM's own perf counters (class loading and
 * zip file statistics, jdk.internal.perf): `jstat -class` figures, not program input. Their order
 * follows HotSpot's (the verifier asks class loaders for types in an order that changes from run
 * to run), so as events they would make replay diverge on code that never looks at them.
 */
constexpr const char* kPerfClockClasses[] = {
    "java/lang/ClassLoader",         "java/net/URLClassLoader",        "java/util/zip/ZipFile",
    "jdk/internal/perf/PerfCounter", "jdk/internal/module/ModulePath", "jdk/internal/module/ModuleBootstrap$Counters"};

/** True when `name` is one of kPerfClockClasses (boot loader only). */
bool isPerfClockClass(const char* name);

/**
 * Rewrites one of kPerfClockClasses so that its System.nanoTime() calls read 0: in record and
 * replay alike, so the counters' time figures are 0 under the agent and the calls are no events.
 * False with `error` set when the class cannot be parsed; the class then loads unchanged.
 */
bool zeroPerfClocks(jvmtiEnv* jvmti, const unsigned char* data, jint length, unsigned char** newData, jint* newLength,
                    std::string& error);

}  // namespace retrace::agent
