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

}  // namespace retrace::agent
