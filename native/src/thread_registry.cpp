#include "thread_registry.h"

namespace retrace::agent {

thread_local ThreadState* ThreadRegistry::current_ = nullptr;
thread_local bool ThreadRegistry::ownThread_ = false;

ThreadState* ThreadRegistry::add(bool recorded, const std::string& name, const uint32_t* id) {
  auto state = std::make_unique<ThreadState>();
  state->recorded = recorded;
  state->name = name;
  std::lock_guard<std::mutex> guard(mutex_);
  if (recorded) state->id = id != nullptr ? *id : nextId_++;
  states_.push_back(std::move(state));
  current_ = states_.back().get();
  return current_;
}

ThreadState* ThreadRegistry::attachUnknown() {
  if (pthread_equal(pthread_self(), mainThread_) && !mainSeen_) {
    mainSeen_ = true;
    uint32_t mainId = 0;
    return add(true, "main", &mainId);
  }
  return add(false, "");
}

ThreadState* ThreadRegistry::attachStarted(bool application, const std::string& name, bool& isNew, const uint32_t* id) {
  isNew = current_ == nullptr;
  if (!isNew) return current_;
  return add(application && !ownThread_, name, id);
}

ThreadState* ThreadRegistry::find(uint32_t id) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& state : states_) {
    if (state->recorded && state->id == id) return state.get();
  }
  return nullptr;
}

ThreadState* ThreadRegistry::find(JNIEnv* env, jobject thread) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& state : states_) {
    if (state->recorded && state->ref != nullptr && env->IsSameObject(state->ref, thread)) return state.get();
  }
  return nullptr;
}

void ThreadRegistry::noteStart(JNIEnv* env, jobject thread, ThreadState& parent, uint32_t reservedId) {
  jweak weak = env->NewWeakGlobalRef(thread);
  if (weak == nullptr) return;
  std::lock_guard<std::mutex> guard(mutex_);
  pending_.push_back({weak, parent.id, parent.childCount++, reservedId});
}

bool ThreadRegistry::takeLineage(JNIEnv* env, jthread thread, uint32_t& parent, uint32_t& childIndex,
                                 uint32_t& reservedId) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (!env->IsSameObject(it->thread, thread)) continue;
    parent = it->parent;
    childIndex = it->childIndex;
    reservedId = it->reservedId;
    env->DeleteWeakGlobalRef(it->thread);
    pending_.erase(it);
    return true;
  }
  return false;
}

}  // namespace retrace::agent
