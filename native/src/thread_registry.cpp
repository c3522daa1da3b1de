#include "thread_registry.h"

namespace retrace::agent {

thread_local ThreadState* ThreadRegistry::current_ = nullptr;

ThreadState* ThreadRegistry::add(bool recorded, const std::string& name) {
  auto state = std::make_unique<ThreadState>();
  state->recorded = recorded;
  state->name = name;
  std::lock_guard<std::mutex> guard(mutex_);
  if (recorded) state->id = nextId_++;
  states_.push_back(std::move(state));
  current_ = states_.back().get();
  return current_;
}

ThreadState* ThreadRegistry::attachUnknown() {
  if (pthread_equal(pthread_self(), mainThread_) && !mainSeen_) {
    mainSeen_ = true;
    return add(true, "main");
  }
  return add(false, "");
}

ThreadState* ThreadRegistry::attachStarted(bool application, const std::string& name, bool& isNew) {
  isNew = current_ == nullptr;
  if (!isNew) return current_;
  return add(application, name);
}

}  // namespace retrace::agent
