/*
 * The C ABI of the tape library, for the Java facade (bound with java.lang.foreign in the
 * style jextract generates: one class for this header, one MethodHandle per function).
 * Strings returned are UTF-8, NUL-terminated, owned by the caller: free them with rt_free.
 * Functions that can fail write a one-line message into err (err_len bytes, NUL-terminated).
 */
#ifndef RETRACE_TAPE_C_H
#define RETRACE_TAPE_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_tape rt_tape;

/* Opens a recording; NULL and a message in err when it is missing or not a recording. */
rt_tape* rt_tape_open(const char* path, char* err, size_t err_len);
void rt_tape_close(rt_tape* tape);

/*
 * The whole recording as JSON:
 * {"path":..., "fileSize":N, "shebang":"...", "formatVersion":2,
 *  "complete":bool,                         every process has its end frame and a whole hand-over
 *                                           schedule, and the file ended cleanly
 *  "stop":{"clean":bool,"offset":N,"reason":"...","tampered":bool},
 *                                           tampered: reading stopped at a whole frame that does
 *                                           not belong (appended, copied, another recording's;
 *                                           reader.h StopInfo); clean is false then
 *  "frames":N,
 *  "processes":[{"pid":N,"parentPid":N,"parentEventIndex":N,"argv":[...],"javaHome":"...",
 *     "jvmVersion":"...","cwd":"...","startTimeMillis":N,"agentOptions":"...",
 *     "env":[...], "systemProperties":{...}, "code":[{"path","role","crc32c","size"}],
 *     "end":null | {"exitStatus":N,"complete":bool,"eventCount":N,"endTimeMillis":N,"truncatedReason":"...",
 *                   "handoverCount":N,
 *                   "cleared":{"counted":bool,"weak":N,"soft":N,"phantom":N,"finalized":N},
 *                   "code":[{"path","role","crc32c","size"}]},
 *     "threads":[{"thread":N,"name":"..."}],
 *     "events":N, "bytes":N,               events read and payload bytes of this pid's frames
 *     "firstOffset":N, "lastOffset":N,     where its frames are
 *     "calls":[{"id":N,"name":"java.lang.System.nanoTime()J","count":N}],   counts over events read
 *     "handovers":N,                       hand-overs read (the schedule up to a hole, if any)
 *     "handoverKinds":{"yield":N,"block":N,"forced":N,"escape":N,"preempt":N},
 *     "handoversComplete":bool}]}          no hole, and the end frame counts exactly "handovers"
 */
char* rt_tape_summary_json(rt_tape* tape);

/*
 * Iterates the events of `pid` in file order, one JSON object each, NULL at the end:
 * {"pid":N,"thread":N,"index":N,"call":"java.lang.System.nanoTime()J","callId":N,"value":N,
 *  "data":{"length":N,"text":"first 64 bytes, escaped"}?,"items":[null|"..."]?,"fields":[...]?,
 *  "thrown":{"className":...,"message":...,"errno":N}?,"stack":["pkg.Class.method(File.java:12)",...]?}
 * Call rt_tape_rewind(tape, pid) first to select the process.
 * rt_tape_rewind returns 0, or -1 when the recording has no frame of that pid.
 * Items are given in full; Java's modified UTF-8 (C0 80, surrogate pairs) reads as the string.
 */
int rt_tape_rewind(rt_tape* tape, uint32_t pid);
char* rt_tape_next_event_json(rt_tape* tape);

/*
 * Iterates the thread hand-over schedule of the pid chosen by rt_tape_rewind (which also starts it
 * over), one JSON object per hand-over in schedule order, NULL at the end:
 * {"pid":N,"index":N,"from":N,"fromPoint":N,"to":N,"kind":"yield"|"block"|"forced"|"escape"|"preempt","fromTick":N
 * (preempt only)} It has its own position: events and hand-overs can be read in either order after one rewind.
 */
char* rt_tape_next_handover_json(rt_tape* tape);

void rt_free(char* string);

#ifdef __cplusplus
}
#endif

#endif
