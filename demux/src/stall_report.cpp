// What replay was waiting for when it gave up: built under the lock, printed by the agent.
#include <chrono>
#include <string>

#include "core.h"
#include "policy.h"

namespace retrace::demux {

const char* toString(StallReason reason) {
  switch (reason) {
    case StallReason::kTimeout:
      return "timeout";
    case StallReason::kDiverged:
      return "diverged";
    case StallReason::kScheduleEnded:
      return "schedule ended";
  }
  return "?";
}

StallReport Core::snapshot(StallReason reason, uint32_t expected, std::string message) const {
  StallReport report;
  report.reason = reason;
  report.expected = expected;
  report.position = policy->position();
  if (const Handover* next = policy->next()) report.next = *next;
  report.holder = holder;
  if (holder != kNoThread) report.holderPoints = slots[holder]->points;
  report.lastReleaser = lastReleaser;
  report.lastReleasePoint = lastReleasePoint;
  Clock::time_point now = Clock::now();
  for (uint32_t id : queue) report.waiting.push_back({id, slots[id]->points, now - slots[id]->waitSince});
  report.message = std::move(message);
  return report;
}

namespace {

std::string thread(uint32_t id) {
  return id == kNoThread ? "none" : std::to_string(id);
}

}  // namespace

std::string describe(const StallReport& report) {
  std::string text = "replay stalled (" + std::string(toString(report.reason)) + "): " + report.message + "\n";
  text += "  waiting for thread: " + thread(report.expected) + "\n";
  text += "  schedule position: " + std::to_string(report.position);
  if (report.next) {
    const Handover& e = *report.next;
    text += ", next hand-over: " + thread(e.from) + " -> " + thread(e.to) + " at point " + std::to_string(e.fromPoint) +
            " (" + toString(e.kind) + ")";
  } else {
    text += ", no further hand-over recorded";
  }
  text += "\n  baton holder: " + thread(report.holder);
  if (report.holder != kNoThread) text += " at point " + std::to_string(report.holderPoints);
  text += "; last released by: " + thread(report.lastReleaser);
  if (report.lastReleaser != kNoThread) text += " at point " + std::to_string(report.lastReleasePoint);
  text += "\n  waiting threads:";
  if (report.waiting.empty()) text += " none";
  for (const WaitingThread& w : report.waiting) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(w.waited).count();
    text += " " + std::to_string(w.id) + " (point " + std::to_string(w.points) + ", " + std::to_string(ms) + " ms)";
  }
  return text + "\n";
}

}  // namespace retrace::demux
