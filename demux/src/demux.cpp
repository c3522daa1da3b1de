// The public calls: check the caller against the contract, count the point, hand over to the policy.
#include "retrace/demux/demux.h"

#include <memory>

#include "core.h"
#include "policy.h"

namespace retrace::demux {
namespace {

/** The slot of `id` if it is in one of `allowed` states; otherwise null, counted as a misuse. */
template <typename... States>
Slot* caller(Core& core, uint32_t id, States... allowed) {
  Slot* slot = core.find(id);
  if (slot == nullptr) return nullptr;
  if (((slot->state == allowed) || ...)) return slot;
  ++core.stats.misuses;
  return nullptr;
}

/** The lock of a public call: closes the fast path on entry and reopens it (when it may) on the way out. */
class Locked {
 public:
  explicit Locked(Core& core) : core_(core), lock(core.mu) { core_.closeFast(); }
  ~Locked() {
    if (lock.owns_lock()) core_.openFast();
  }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  Core& core_;

 public:
  Lock lock;
};

}  // namespace

Demux::Demux(Options options) : core_(std::make_unique<Core>(std::move(options))) {}

Demux::~Demux() = default;  // ~Core abandons and joins the watchdog

bool Demux::startWatchdog() {
  Locked locked(*core_);
  return core_->startWatchdog(locked.lock);
}

void Demux::runOnWatchdog(std::function<void()> task) {
  Locked locked(*core_);
  core_->runOnWatchdog(std::move(task));
}

uint32_t Demux::startMain() {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  if (!core_->slots.empty()) {
    ++core_->stats.misuses;
    return kNoThread;
  }
  core_->slots.push_back(std::make_unique<Slot>(0));
  core_->grant(*core_->slots[0]);
  core_->policy->started(lock);
  return 0;
}

uint32_t Demux::reserveChild(uint32_t parent) {
  Locked locked(*core_);
  // A parent without the baton (after an escape) still gets an id; the numbering is then as
  // deterministic as the escape itself.
  if (caller(*core_, parent, SlotState::kHolding, SlotState::kDetached) == nullptr) return kNoThread;
  auto id = static_cast<uint32_t>(core_->slots.size());
  core_->slots.push_back(std::make_unique<Slot>(id));
  return id;
}

bool Demux::arrive(uint32_t id) {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kReserved);
  if (t == nullptr) return false;
  if (core_->abandoned) {
    t->state = SlotState::kDetached;
    return false;
  }
  core_->policy->acquire(lock, *t);
  return !core_->abandoned;
}

bool Demux::schedulingPoint(uint32_t id) {
  // Record, the holder alone: count the point with one CAS, no lock (see Core::fast).
  uint64_t word = core_->fast.load(std::memory_order_acquire);
  if (word != Core::kFastClosed && (word >> Core::kFastIdShift) == id &&
      core_->fast.compare_exchange_strong(word, word + 1, std::memory_order_acq_rel)) {
    return true;
  }
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kHolding, SlotState::kDetached);
  if (t == nullptr) return false;
  ++t->points;
  if (core_->abandoned) return false;
  core_->policy->point(lock, *t);
  return !core_->abandoned;
}

bool Demux::releaseForBlocking(uint32_t id) {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kHolding, SlotState::kDetached);
  if (t == nullptr) return false;
  ++t->points;
  if (core_->abandoned) {
    t->state = SlotState::kDetached;
    return false;
  }
  core_->policy->release(lock, *t, false);
  return !core_->abandoned;
}

bool Demux::reacquire(uint32_t id) {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kDetached);
  if (t == nullptr) return false;
  if (core_->abandoned) return false;
  core_->policy->acquire(lock, *t);
  return !core_->abandoned;
}

void Demux::exit(uint32_t id) {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kHolding, SlotState::kDetached);
  if (t == nullptr) return;
  ++t->points;
  if (core_->abandoned) {
    t->state = SlotState::kExited;
    return;
  }
  core_->policy->release(lock, *t, true);
}

bool Demux::preempt(uint32_t id, uint64_t tick) {
  Locked locked(*core_);
  Lock& lock = locked.lock;
  Slot* t = caller(*core_, id, SlotState::kHolding);
  if (t == nullptr || core_->abandoned) return false;
  bool handedOver = core_->policy->preempt(lock, *t, tick);
  return handedOver && !core_->abandoned;
}

std::optional<uint64_t> Demux::preemptTick(uint32_t id) const {
  std::lock_guard<std::mutex> guard(core_->mu);
  if (core_->abandoned || core_->stalled || core_->holder != id) return std::nullopt;
  const Handover* e = core_->policy->next();
  if (e == nullptr || e->kind != HandoverKind::kPreempt || e->from != id || e->fromPoint != core_->pointsOf(id)) {
    return std::nullopt;
  }
  return e->fromTick;
}

std::optional<uint64_t> Demux::chaosTicks(uint32_t id) {
  Locked locked(*core_);
  if (core_->abandoned || core_->holder != id) return std::nullopt;
  return core_->policy->chaosTicks(locked.lock);
}

bool Demux::holds(uint32_t id) const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return id != kNoThread && core_->holder == id;
}

uint32_t Demux::holder() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->holder;
}

uint64_t Demux::points(uint32_t id) const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->pointsOf(id);
}

std::vector<uint32_t> Demux::waiting() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return {core_->queue.begin(), core_->queue.end()};
}

size_t Demux::position() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->policy->position();
}

bool Demux::escaped() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->stats.escapes > 0;
}

bool Demux::abandoned() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->abandoned;
}

Stats Demux::stats() const {
  std::lock_guard<std::mutex> guard(core_->mu);
  return core_->stats;
}

void Demux::shutdown() {
  std::lock_guard<std::mutex> guard(core_->mu);
  core_->abandon();
}

}  // namespace retrace::demux
