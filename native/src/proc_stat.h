// /proc/<pid>/stat and /proc/self/task/<tid>/stat, read with plain system calls: the watchdog asks
// about threads that may be exiting right then, and a stream would throw on a vanished file.
#pragma once

#include <string>

namespace retrace::agent {

/**
 * The fields after the command name ("S 1234 ..."), or "" when the file cannot be read. The command
 * name may hold spaces and parentheses, so the fields start after its last ')'.
 */
std::string procStatFields(const std::string& path);

/**
 * The first two numbers of /proc/self/task/<tid>/schedstat: nanoseconds the thread has run on a CPU
 * and waited on a run queue for one. False when the file cannot be read (a kernel without schedstats,
 * or the thread is gone).
 */
bool procSchedStat(long tid, unsigned long long& running, unsigned long long& runnable);

}  // namespace retrace::agent
