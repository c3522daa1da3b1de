// Class file rewriting that turns selected native methods into Java wrappers around a prefixed
// native.
//
// HotSpot compiles System.nanoTime()/currentTimeMillis() as JIT intrinsics, and it only matches
// those intrinsics to a *static native* method with that exact name and descriptor. Hot loops
// therefore never reach a NativeMethodBind hook. At ClassFileLoadHook time the agent rewrites
// java/lang/System so that
//
//   public static native long nanoTime();                    // @IntrinsicCandidate
//
// becomes
//
//   public static native long retrace$nanoTime();            // renamed, still native
//   public static long nanoTime() { return retrace$nanoTime(); }   // plain Java, no intrinsic
//
// With JVMTI SetNativeMethodPrefix("retrace$") the JVM binds retrace$nanoTime to the original
// JNI symbol / RegisterNatives entry of nanoTime, and NativeMethodBind reports it as usual.
//
// Everything here is pure byte manipulation: no JNI, no exceptions, no allocation outside
// std containers, and every read of the input is bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace retrace::agent {

struct NativeWrap {
  std::string name;        // e.g. "nanoTime" (compared byte-wise with the class file's Utf8)
  std::string descriptor;  // e.g. "()J"
};

/**
 * Rewrites a class file so that each listed native method M becomes a Java method M that calls
 * the native prefix+M. Methods not present (or not native) are skipped. Returns false with
 * `error` set when the class file cannot be parsed or nothing was rewritten; `out` holds the
 * new class file on success (and is left empty on failure). On success `error` is empty unless
 * some listed methods were skipped, in which case it describes them (useful for logging).
 *
 * Works for static and instance methods and any descriptor.
 *
 * Details of the produced class:
 *  - The native method keeps its descriptor, flags and attributes and gets the new name
 *    prefix+M. The one exception is @IntrinsicCandidate (jdk.internal.vm.annotation, or the
 *    JDK 9-15 jdk.internal.HotSpotIntrinsicCandidate), which is removed from its
 *    RuntimeVisibleAnnotations (the attribute is dropped if that leaves it empty): HotSpot's
 *    CheckIntrinsics (a diagnostic flag that is on by default) would otherwise print
 *    "Method [java.lang.System.retrace$nanoTime()J] is annotated with @IntrinsicCandidate, but
 *    no compiler intrinsic is defined" to the program's stdout (and exit a debug VM). Static natives keep their access
 * flags unchanged. Instance natives are additionally made ACC_PRIVATE (ACC_PUBLIC/ACC_PROTECTED cleared) so the wrapper
 * can call them with invokespecial: a non-private instance method would be dispatched virtually, and a subclass method
 * of the same name must never be hit.
 *  - The wrapper M has the native's flags minus ACC_NATIVE and a single Code attribute; the
 *    native's annotations (e.g. @IntrinsicCandidate) and other attributes are not copied, except
 *    Exceptions and Signature, which are copied so reflection (getExceptionTypes,
 *    getGenericReturnType, ...) still describes M as before.
 *  - Constant pool entries are only appended (existing indices stay valid); no StackMapTable is
 *    needed because the wrapper body has no branches.
 *  - Only apply the result when SetNativeMethodPrefix(prefix) succeeded for this JVM: without
 *    it RegisterNatives("nanoTime") in System's static initializer fails and the JVM crashes
 *    during startup.
 *  - JDK 17 (not 25) still attaches the nanoTime/currentTimeMillis intrinsic id to the Java
 *    wrapper and, with CheckIntrinsics, prints "Compiler intrinsic is defined for method
 *    [java.lang.System.nanoTime()J], but the method is not annotated with @IntrinsicCandidate.
 *    Method will not be inlined." to stdout once per method. C2 then refuses the intrinsic (as
 *    intended). Only -XX:+UnlockDiagnosticVMOptions -XX:-CheckIntrinsics on the command line
 *    silences it; the class file cannot.
 *  - Class file versions 45..69 (up to JDK 25) are accepted. Interfaces are rejected (they cannot
 *    declare native methods).
 */
bool wrapNativeMethods(const uint8_t* classBytes, size_t length, const std::string& prefix,
                       const std::vector<NativeWrap>& methods, std::vector<uint8_t>& out, std::string& error);

struct StaticCall {
  std::string owner;       // internal form: java/lang/System
  std::string name;        // nanoTime
  std::string descriptor;  // ()J
};

/**
 * Replaces every `invokestatic owner.name()J` in the methods of a class file by `lconst_0; nop;
 * nop`: the same length and the same stack effect, so no offset, branch or StackMapTable frame
 * changes. For clock readings whose only use is a statistic of the JDK's own (the class loaders'
 * perf counters), which would otherwise be events whose order follows HotSpot's, not the
 * program's. Returns how many calls were replaced (`out` holds the class, changed or not), or -1
 * with `error` set when the class file or its bytecode cannot be parsed.
 */
int zeroLongStaticCalls(const uint8_t* classBytes, size_t length, const StaticCall& call, std::vector<uint8_t>& out,
                        std::string& error);

/** Where insertTickCalls puts ticks. */
enum class TickPlaces {
  kMethodEntries,                  // offset 0 of every method
  kMethodEntriesAndFieldAccesses,  // and before every get/putfield, get/putstatic, array load and store
};

/**
 * Puts `invokestatic tick; nop` at offset 0 of every method with code (constructors and static
 * initialisers included; a static call before super() is legal): a tick at each method entry, for
 * preemption at a place that is the same in every run (preemption.h). Four bytes, not three, so
 * every instruction keeps its offset modulo 4 (switch padding) and no relative branch changes; a
 * branch back to offset 0 lands on the method's first instruction, after the tick. The exception
 * table, StackMapTable (the first frame's offset, Uninitialized types), LineNumberTable,
 * LocalVariableTable and LocalVariableTypeTable move with the code; type annotations on code are
 * dropped (reflection does not show them). A method is left as it is when it already starts with
 * the tick, when its code would reach 64 KiB, or when its Code attribute has an attribute of
 * unknown layout. The tick is a Methodref, also in interfaces. Returns how many methods changed
 * (`out` holds the class, changed or not), or -1 with `error` set when the class cannot be parsed.
 *
 * With TickPlaces::kMethodEntriesAndFieldAccesses the same four bytes also go before every
 * getfield, putfield, getstatic, putstatic and array load and store (iaload..saload,
 * iastore..sastore), so a thread can be preempted between the read and the write of one `count++`.
 * Each insertion is four bytes, so switch padding still does not change, but relative branches
 * across insertions are rewritten (if<cond>, goto, jsr, goto_w, jsr_w, both switches): a branch to
 * a field access lands on its tick, so every execution of the access ticks. An exception range
 * that begins at an access begins after its tick; lines, frames and local variable ranges begin at
 * the tick. A method whose code would then reach 64 KiB, whose 16-bit branch offsets would
 * overflow, or whose bytecode cannot be walked gets its entry tick only, as with kMethodEntries.
 * Entry ticks alone give the same bytes as kMethodEntries.
 */
int insertTickCalls(const uint8_t* classBytes, size_t length, const StaticCall& tick, std::vector<uint8_t>& out,
                    std::string& error, TickPlaces places = TickPlaces::kMethodEntries);

/**
 * Adds to java/lang/System what the ticks call (preemption.h): the private static fields
 * retrace$holder (Thread), retrace$ticks (long) and volatile retrace$limit (long), the private
 * static native retrace$preempt(long), and
 *
 *   public static void retrace$tick() {
 *     if (Thread.currentThread() == retrace$holder) {
 *       long t = retrace$ticks + 1; retrace$ticks = t;
 *       if (t >= retrace$limit) retrace$preempt(t);
 *     }
 *   }
 *
 * with its StackMapTable. Constant pool entries are only appended. False with `error` set when the
 * class cannot be parsed or already has them.
 */
bool addPreemptionHooks(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error);

/** What addProgressHooks adds to java/lang/System (progress_points.h). */
constexpr const char* kProgressNative = "retrace$progress";
constexpr const char* kPreviousProgressNative = "retrace$previousProgress";
constexpr const char* kSeekNative = "retrace$seek";
constexpr const char* kReachedMethod = "retrace$reached";

/**
 * Adds to java/lang/System, for a debugger driving a replay (progress_points.h):
 * `private static native long retrace$progress(Thread)`, `private static native long
 * retrace$previousProgress(Thread)`, `private static native boolean retrace$seek(Thread, long)`
 * and `private static void retrace$reached() {}`, where the debugger
 * puts its breakpoint. Constant pool entries are only appended. False with `error` set when the
 * class cannot be parsed or already has them.
 */
bool addProgressHooks(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error);

/** The field keepReferents adds: the referent, held strongly by its own reference object. */
constexpr const char* kKeptReferentField = "retrace$referent";

/**
 * For java/lang/ref/WeakReference and SoftReference: adds the private instance field
 * retrace$referent (Object) and, at the entry of every constructor whose first parameter is the
 * referent, `aload_0; aload_1; putfield retrace$referent; nop; nop; nop` (eight bytes, before
 * super(): legal for a field of the class's own). The reference object then holds its referent
 * strongly, so the collector never clears it, in record and replay alike (--keep-references). Not
 * java/lang/ref/Reference: HotSpot hard-codes the oop map of Reference's own fields. False with
 * `error` set when the class cannot be parsed, already has the field, or has no such constructor.
 */
bool keepReferents(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error);

/** The native noteClearedReferences adds to java/lang/ref/Reference (cleared_references.h). */
constexpr const char* kClearedNative = "retrace$cleared";

/**
 * For java/lang/ref/Reference: adds `private static native void retrace$cleared(Reference)` and
 * puts `aload_0; invokestatic retrace$cleared` (four bytes, so offsets keep their value modulo 4)
 * at the entry of enqueueFromPending(), which the Reference Handler thread calls for every reference
 * the collector cleared and pended (but jdk.internal.ref.Cleaner's). Methods only: HotSpot
 * hard-codes Reference's fields. False with `error` set when the class cannot be parsed, already
 * has the native, or has no enqueueFromPending().
 */
bool noteClearedReferences(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error);

/**
 * Puts `invokestatic call` at the entry of the class's static initialiser, followed by `nop` when
 * the call returns nothing and by `pop` when it returns an int or a boolean: four bytes, so that
 * offsets keep their value modulo 4; the StackMapTable, exception table and debug tables move with
 * the code (as for insertTickCalls). The call takes no arguments. For a class whose initialiser
 * starts one of the JDK's own threads: what the call links and initialises is then done by the
 * thread that runs the initialiser, before the new thread can race it (initVmBeforeFinalizerOf in
 * system_class_rewrite.h). False with `error` set when the class cannot be parsed, has no static
 * initialiser, or its initialiser starts with the call already.
 */
bool callFirstInStaticInitializer(const uint8_t* classBytes, size_t length, const StaticCall& call,
                                  std::vector<uint8_t>& out, std::string& error);

}  // namespace retrace::agent
