// Where a boundary call goes, in record and in replay alike: program code passes through, writes
// to stdout/stderr are echoed (performed again on replay), everything else is taped.
#pragma once

#include <string>

#include "boundary.h"

namespace retrace::agent {

enum class Route { kPassThrough, kEcho, kTape };

class FdTable;
class CodeIdentity;

/**
 * `jvmti` is for one question, asked only of a jar, zip or class file outside the code roots:
 * whether a class loader's class path opens it (CodeIdentity::looksLikeCode); then it is code
 * found as the program runs, and noted in `code`.
 */
Route routeOf(CallFrame& frame, FdTable& fds, CodeIdentity& code, jvmtiEnv* jvmti);

/**
 * The call may block for long: sleep, reads of stdin or of a child process's pipe, name-service
 * lookups, socket calls that wait, waiting for a process. The thread gives the baton up around it,
 * in record and replay alike (so the decision uses nothing that differs between them). Other
 * calls that block (a full stdout pipe) are left to the scheduler's watchdog.
 */
bool mayBlock(CallFrame& frame, const FdTable& fds);

/**
 * Clocks and the like: no file, no effect, one number for an answer, and no waiting (a call that
 * waits must give the baton up, which the fast path does not do). Record and replay both take
 * their fast path for exactly these.
 */
bool isOneNumberCall(const BoundaryCall& call);

/** The call writes or changes files: it is never pass-through and never performed on replay. */
bool changesFiles(CallFrame& frame);

/** The call writes bytes (WRITE_ARRAY, WRITE_NATIVE, WRITE_IOVEC, WRITE_BYTE). */
bool isWrite(Effect effect);

/** The bytes a write call hands over (no exception may be pending). */
std::string bytesWritten(CallFrame& frame);

/** After a pass-through call that opened something, remember the new fd or DIR* as code. */
void notePassThroughOpen(CallFrame& frame, jvalue result, FdTable& fds);

/** The primitive result as the number an event stores (0 for void and objects). */
int64_t primitiveValue(const BoundaryCall& call, jvalue result);
jvalue primitiveResult(const BoundaryCall& call, int64_t value);

}  // namespace retrace::agent
