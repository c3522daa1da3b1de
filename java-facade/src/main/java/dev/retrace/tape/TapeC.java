package dev.retrace.tape;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Bindings to {@code tape-format/include/retrace/tape/tape_c.h}, written in the style jextract
 * generates (jextract is not installable here): one class for the header, one holder class with
 * a {@code MethodHandle} per function, and a static method with the C name for each. Keep in sync
 * with tape_c.h.
 *
 * <p>The library is {@code <dist>/lib/libretrace_tape.so}, where dist is the system property
 * {@code retrace.dist}. It is loaded when a function is first used; check {@link #libraryPath()}
 * exists before that to give a friendly error.
 */
public final class TapeC {
    private TapeC() {}

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfInt UINT32_T = ValueLayout.JAVA_INT;
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /** Where the library is: {@code <retrace.dist>/lib/libretrace_tape.so}. */
    public static Path libraryPath() {
        String dist = System.getProperty("retrace.dist");
        if (dist == null || dist.isEmpty()) {
            throw new IllegalStateException("the system property retrace.dist is not set");
        }
        return Path.of(dist, "lib", "libretrace_tape.so");
    }

    private static final class Library {
        static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.libraryLookup(libraryPath(), Arena.global());
        static final Linker LINKER = Linker.nativeLinker();

        static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
            MemorySegment address = SYMBOL_LOOKUP
                    .find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + name));
            return LINKER.downcallHandle(address, descriptor);
        }
    }

    private static final class rt_tape_open {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER, SIZE_T);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_open", DESC);
    }

    /** {@snippet lang=c : rt_tape* rt_tape_open(const char* path, char* err, size_t err_len) } */
    public static MemorySegment rt_tape_open(MemorySegment path, MemorySegment err, long err_len) {
        try {
            return (MemorySegment) rt_tape_open.HANDLE.invokeExact(path, err, err_len);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_tape_close {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_POINTER);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_close", DESC);
    }

    /** {@snippet lang=c : void rt_tape_close(rt_tape* tape) } */
    public static void rt_tape_close(MemorySegment tape) {
        try {
            rt_tape_close.HANDLE.invokeExact(tape);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_tape_summary_json {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_summary_json", DESC);
    }

    /** {@snippet lang=c : char* rt_tape_summary_json(rt_tape* tape) } */
    public static MemorySegment rt_tape_summary_json(MemorySegment tape) {
        try {
            return (MemorySegment) rt_tape_summary_json.HANDLE.invokeExact(tape);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_tape_rewind {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, UINT32_T);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_rewind", DESC);
    }

    /** {@snippet lang=c : int rt_tape_rewind(rt_tape* tape, uint32_t pid) } */
    public static int rt_tape_rewind(MemorySegment tape, int pid) {
        try {
            return (int) rt_tape_rewind.HANDLE.invokeExact(tape, pid);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_tape_next_event_json {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_next_event_json", DESC);
    }

    /** {@snippet lang=c : char* rt_tape_next_event_json(rt_tape* tape) } */
    public static MemorySegment rt_tape_next_event_json(MemorySegment tape) {
        try {
            return (MemorySegment) rt_tape_next_event_json.HANDLE.invokeExact(tape);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_tape_next_handover_json {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = Library.downcall("rt_tape_next_handover_json", DESC);
    }

    /** {@snippet lang=c : char* rt_tape_next_handover_json(rt_tape* tape) } */
    public static MemorySegment rt_tape_next_handover_json(MemorySegment tape) {
        try {
            return (MemorySegment) rt_tape_next_handover_json.HANDLE.invokeExact(tape);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class rt_free {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_POINTER);
        static final MethodHandle HANDLE = Library.downcall("rt_free", DESC);
    }

    /** {@snippet lang=c : void rt_free(char* string) } */
    public static void rt_free(MemorySegment string) {
        try {
            rt_free.HANDLE.invokeExact(string);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
