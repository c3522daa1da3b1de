#include "core.h"

#include <algorithm>
#include <system_error>

#include "policy.h"

namespace retrace::demux {

Core::Core(Options opts) : options(std::move(opts)) {
  policy = options.mode == Mode::kRecord ? makeRecordPolicy(*this) : makeReplayPolicy(*this);
}

Core::~Core() {
  {
    std::lock_guard<std::mutex> guard(mu);
    stopping_ = true;
    abandon();
  }
  if (watchdog_.joinable()) watchdog_.join();
}

Slot* Core::find(uint32_t id) {
  if (id < slots.size()) return slots[id].get();
  ++stats.misuses;
  return nullptr;
}

void Core::enqueue(Slot& t) {
  t.state = SlotState::kWaiting;
  t.waitSince = Clock::now();
  queue.push_back(t.id);
  ++stats.waits;
  // The watchdog sleeps while nobody waits; the first waiter gives it something to watch.
  if (queue.size() == 1) kickWatchdog();
}

void Core::grant(Slot& t) {
  auto it = std::find(queue.begin(), queue.end(), t.id);
  if (it != queue.end()) queue.erase(it);
  holder = t.id;
  holderSince = Clock::now();
  t.state = SlotState::kHolding;
  t.cv.notify_one();
}

void Core::release(Slot& t, SlotState next) {
  holder = kNoThread;
  t.state = next;
  lastReleaser = t.id;
  lastReleasePoint = t.points;
}

void Core::closeFast() {
  uint64_t word = fast.exchange(kFastClosed, std::memory_order_acq_rel);
  if (word != kFastClosed) slots[word >> kFastIdShift]->points = word & kFastPointsMask;
}

void Core::openFast() {
  if (options.mode != Mode::kRecord || holder == kNoThread || !queue.empty() || stalled || abandoned) return;
  Slot& h = *slots[holder];
  if (h.points > kFastPointsMask || h.id >= (uint64_t{1} << (64 - kFastIdShift)) - 1) return;
  fast.store((uint64_t{h.id} << kFastIdShift) | h.points, std::memory_order_release);
}

uint64_t Core::pointsOf(uint32_t id) const {
  uint64_t word = fast.load(std::memory_order_acquire);
  if (word != kFastClosed && (word >> kFastIdShift) == id) return word & kFastPointsMask;
  return id < slots.size() ? slots[id]->points : 0;
}

bool Core::waitForBaton(Lock& lock, Slot& t) {
  // kDetached: granted, then handed away again before it woke (replay of a kEscape or kForced at
  // the very point where it was granted); it runs on without the baton, as the schedule says.
  t.asleep = true;
  t.cv.wait(lock, [&] { return holder == t.id || abandoned || t.state == SlotState::kDetached; });
  t.asleep = false;
  // The holder's time without a point starts now, not at the grant: under load a woken thread may
  // wait a while for a CPU, or for this lock, and none of that is the program being stuck.
  if (holder == t.id) holderSince = Clock::now();
  // The thread that granted the baton may have reopened the fast path for us on its way out.
  closeFast();
  if (holder == t.id || (t.state == SlotState::kDetached && !abandoned)) return true;
  // Abandoned: leave the queue and run on unserialised, like every other thread now.
  auto it = std::find(queue.begin(), queue.end(), t.id);
  if (it != queue.end()) queue.erase(it);
  t.state = SlotState::kDetached;
  return false;
}

void Core::count(const Handover& handover) {
  ++stats.handovers;
  switch (handover.kind) {
    case HandoverKind::kYield:
      ++stats.yields;
      break;
    case HandoverKind::kBlock:
      ++stats.blocks;
      break;
    case HandoverKind::kForced:
      ++stats.forced;
      break;
    case HandoverKind::kEscape:
      ++stats.escapes;
      break;
    case HandoverKind::kPreempt:
      ++stats.preempts;
      break;
  }
}

void Core::stall(Lock& lock, StallReason reason, uint32_t expected, std::string message) {
  if (stalled || abandoned) return;
  stalled = true;
  StallReport report = snapshot(reason, expected, std::move(message));
  // Without the lock: the agent prints (and usually exits) from here, and must be able to look around.
  lock.unlock();
  if (options.onStall) options.onStall(report);
  lock.lock();
  abandon();
}

void Core::abandon() {
  closeFast();
  abandoned = true;
  for (auto& s : slots) s->cv.notify_all();
  ++kicks_;
  watchdogCv_.notify_all();
}

void Core::kickWatchdog() {
  if (stopping_) return;
  ++kicks_;
  if (watchdog_.joinable()) {
    watchdogCv_.notify_one();
    return;
  }
  try {
    watchdog_ = std::thread([this] { watchdogLoop(); });
  } catch (const std::system_error&) {
    // No thread to spare: the demux still serialises and replays, it only loses forced hand-overs,
    // escapes and stall detection. Retried at the next kick.
  }
}

void Core::runOnWatchdog(std::function<void()> task) {
  if (stopping_ || !watchdog_.joinable()) return;
  watchdogTask_ = std::move(task);
  ++kicks_;
  watchdogCv_.notify_one();
}

bool Core::startWatchdog(Lock& lock) {
  if (!watchdog_.joinable()) {
    try {
      watchdog_ = std::thread([this] { watchdogLoop(); });
    } catch (const std::system_error&) {
      return false;
    }
  }
  watchdogCv_.wait(lock, [this] { return watchdogStarted_ || stopping_; });
  return watchdogStarted_;
}

}  // namespace retrace::demux
