// What a divergence report tells a user who did not write the code it happened in: the usual cause
// of that kind of divergence, where the docs explain it, and the two Java stacks side by side.
// Pure functions of the report's parts, so that they can be tested without a JVM.
#pragma once

#include <string>

#include "retrace/tape/process_info.h"
#include "stacks.h"

namespace retrace::agent {

struct Divergence {
  std::string expected;  // what the recording expected (a call's display name, or a sentence)
  std::string actual;    // what the program asked for
  std::string detail;    // the detail line, if any ("the bytes written differ first at offset 12")
  JavaStack now;         // innermost first
  JavaStack then;        // the recorded stack (--stacktraces), innermost first; may be empty
  // What the collector cleared in the recorded run (its end frame; not counted when it has none) and
  // in this replay so far (cleared_references.h).
  tape::ClearedReferences recordedClears;
  tape::ClearedReferences replayedClears;
};

/**
 * Two lines, "  usual cause: ..." and "  see docs/...", for the kinds of divergence that real
 * programs show most (docs/troubleshooting.md#replay-diverged); empty when none fits.
 */
std::string usualCause(const Divergence& divergence);

/**
 * The two stacks where they part, side by side (now | when recorded), then the frames they share
 * once. Lines start with `indent`; columns are cut at `columnWidth` characters.
 */
std::string stacksSideBySide(const JavaStack& now, const JavaStack& then, const char* indent, size_t columnWidth);

}  // namespace retrace::agent
