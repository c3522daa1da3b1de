#include "divergence_hint.h"

#include <algorithm>

namespace retrace::agent {

namespace {

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

bool isHash(const std::string& call) {
  return contains(call, "java.lang.Object.hashCode()I") || contains(call, "java.lang.System.identityHashCode(") ||
         contains(call, "identity hash");
}

bool inClassLoading(const JavaStack& stack) {
  return std::any_of(stack.begin(), stack.end(), [](const auto& frame) {
    return contains(frame.first, ".loadClass(") || contains(frame.first, ".defineClass(") ||
           contains(frame.first, ".findClass(");
  });
}

// Weak and soft references: what a program reads back with get().
uint64_t readable(const tape::ClearedReferences& cleared) {
  return cleared.weak + cleared.soft;
}

std::string frameText(const std::pair<std::string, int>& frame) {
  std::string text = frame.first;
  if (frame.second >= 0 && !text.empty() && text.back() == ')') {
    text.insert(text.size() - 1, ":" + std::to_string(frame.second));
  }
  return "at " + text;
}

std::string cut(const std::string& text, size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 3) + "...";
}

}  // namespace

std::string usualCause(const Divergence& d) {
  const char* cause = nullptr;
  const char* doc = nullptr;
  std::string collector;  // the counts, for a cause that may be the collector's
  if (inClassLoading(d.now) || inClassLoading(d.then)) {
    cause =
        "a class loader of the program's own did something else while the JVM loaded classes (the JVM asks "
        "for classes in an order of its own; the JDK's loaders are followed, a loader that reads its classes "
        "another way is not)";
    doc = "docs/troubleshooting.md#class-loading";
  } else if (contains(d.detail, "could not be set")) {
    cause =
        "the object was locked by another thread when it was first hashed, or the JVM hashed it itself; "
        "either way the recorded hash had nowhere to go";
    doc = "docs/limitations.md#identity-hash-codes";
  } else if (isHash(d.expected) || isHash(d.actual)) {
    if (d.recordedClears.counted && readable(d.recordedClears) == 0 && readable(d.replayedClears) == 0) {
      cause =
          "an object got its identity hash at another moment: the program's course changed earlier, out of the "
          "recording's sight (not through a weak or soft reference: the collector cleared none in the recorded "
          "run, nor in this replay so far)";
      doc = "docs/troubleshooting.md#replay-diverged";
    } else {
      cause =
          "an object got its identity hash at another moment: the program's course changed earlier, out of the "
          "recording's sight; most often a weak reference the garbage collector cleared at another time "
          "(WeakHashMap, weak caches and registries: record with --keep-references)";
      doc = "docs/troubleshooting.md#garbage-collection";
      collector = "  weak and soft references the collector cleared: " +
                  (d.recordedClears.counted ? std::to_string(readable(d.recordedClears)) : std::string("unknown")) +
                  " in the recorded run, " + std::to_string(readable(d.replayedClears)) + " in this replay so far\n";
    }
  } else if (contains(d.detail, "bytes written differ")) {
    cause =
        "the program computed other output from the same recorded inputs: something outside the recording "
        "changed its course (garbage collection, the CPU count, the heap size, native code)";
    doc = "docs/limitations.md";
  } else if (contains(d.expected, "no more events")) {
    cause =
        "the program goes on where the recorded one stopped calling the JDK: a signal ended the recorded run, "
        "or the program's course changed earlier";
    doc = "docs/troubleshooting.md#replay-diverged";
  }
  if (cause == nullptr) return "";
  return std::string("  usual cause: ") + cause + "\n" + collector + "  see " + doc + "\n";
}

std::string stacksSideBySide(const JavaStack& now, const JavaStack& then, const char* indent, size_t columnWidth) {
  // Where they join: the first frames (innermost first) from which the two agree to the end of one
  // of them. Stacks are cut at a depth from the innermost frame, so their outer ends need not line up.
  size_t joinNow = now.size(), joinThen = then.size(), shared = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    for (size_t j = 0; j < then.size() && i + j < joinNow + joinThen; ++j) {
      size_t k = 0;
      while (i + k < now.size() && j + k < then.size() && now[i + k] == then[j + k]) ++k;
      if (k > 0 && (i + k == now.size() || j + k == then.size())) {
        joinNow = i;
        joinThen = j;
        shared = k;
      }
    }
  }
  std::string out = std::string(indent) + "now" + std::string(columnWidth - 3, ' ') + " | when recorded\n";
  for (size_t i = 0; i < std::max(joinNow, joinThen); ++i) {
    std::string left = i < joinNow ? cut(frameText(now[i]), columnWidth) : "";
    std::string right = i < joinThen ? cut(frameText(then[i]), columnWidth) : "";
    left.resize(columnWidth, ' ');
    out += std::string(indent) + left + " | " + right + "\n";
  }
  if (shared > 0) {
    out += std::string(indent) + "both from here on:\n";
    // The rest of the current stack too: where the recorded one was cut deeper, they agree as far as it goes.
    for (size_t i = joinNow; i < now.size(); ++i) out += std::string(indent) + frameText(now[i]) + "\n";
  }
  return out;
}

}  // namespace retrace::agent
