// A packed recording replays with its code where `retrace replay` extracted it (the code map,
// retrace/tape/code_map.h). Java code's reads of code are mapped by the replay agent; what the java
// launcher and HotSpot open themselves, before any agent runs, is mapped here, on the command line.
#pragma once

#include <string>
#include <vector>

#include "retrace/tape/code_map.h"

namespace retrace::launcher {

/**
 * `argv` (a java command line) with the paths of `-jar FILE`, `-javaagent:FILE[=...]` and
 * `-Xbootclasspath/a:PATHS` at their local copies. Relative paths are the recorded working
 * directory's (`recordedCwd`); paths the map does not name stay as they are. The class path
 * (-cp) stays as recorded: the application class loader reads it through Java code, which the
 * agent maps, and the program sees the recorded value.
 */
std::vector<std::string> withLocalCode(const std::vector<std::string>& argv, const std::string& recordedCwd,
                                       const tape::CodeMap& map);

}  // namespace retrace::launcher
