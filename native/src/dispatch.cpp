// Every trampoline lands here: pass the call through, or hand it to the active session.
#include "agent.h"
#include "boundary.h"
#include "debugger_calls.h"
#include "declared_members.h"
#include "identity_hash.h"
#include "record_session.h"
#include "replay_session.h"
#include "scheduler.h"

namespace retrace::agent {

namespace {

class HookScope {
 public:
  explicit HookScope(ThreadState& thread) : thread_(thread) { thread_.inHook = true; }
  ~HookScope() { thread_.inHook = false; }

 private:
  ThreadState& thread_;
};

// Not recorded: the order in which threads pass these is the hand-over schedule.
jvalue threadCall(Agent& agent, CallFrame& frame, ThreadState& thread) {
  Scheduler& scheduler = agent.scheduler();
  bool replaying = !agent.recording() && thread.serialized;
  switch (frame.call.effect) {
    case Effect::THREAD_START: {
      uint32_t child = scheduler.reserveChild(thread);
      agent.threads().noteStart(frame.env, frame.self, thread, child);
      return frame.original();
    }
    case Effect::YIELD:
      scheduler.point(thread, frame.call.method);
      return replaying ? zeroValue() : frame.original();
    case Effect::PARK: {
      // Replay does not park: the thread runs again when the recorded schedule gives it the baton,
      // which is when it ran again in the recording, whatever woke it then.
      scheduler.beforeBlocking(thread);
      jvalue result = replaying ? zeroValue() : frame.original();
      scheduler.afterBlocking(thread);
      return result;
    }
    default:
      scheduler.point(thread, frame.call.method);
      return frame.original();
  }
}

}  // namespace

jvalue dispatchCall(CallFrame& frame) {
  Agent& agent = Agent::get();
  if (!agent.active()) return frame.original();
  ThreadState* thread = agent.threads().current();
  // Every thread but a hook's own calls: a member list one thread builds is cached for all
  // (Class.reflectionData), so its order must not depend on which thread built it.
  if (frame.call.effect == Effect::DECLARED_MEMBERS && !thread->inHook) {
    return declared_members::call(agent.jvmti(), frame, *thread);
  }
  // JDK system threads are outside the recording, and so is anything a hook itself calls.
  if (!thread->recorded || thread->inHook) return frame.original();
  // A method a debugger invoked runs live, and does not give objects their identity hash.
  if (DebuggerCalls::active(*thread)) {
    if (frame.call.effect != Effect::IDENTITY_HASH) return frame.original();
    jvalue hash{};
    hash.i =
        DebuggerCalls::hashWithoutGenerating(frame.env, IdentityHash::objectOf(frame.call.id, frame.self, frame.args));
    return hash;
  }
  if (isThreadCall(frame.call.effect)) return threadCall(agent, frame, *thread);
  if (agent.recording()) {
    HookScope scope(*thread);
    return agent.recorder().onCall(frame, *thread);
  }
  uint64_t indexBefore = thread->nextIndex;
  jvalue result;
  {
    HookScope scope(*thread);
    result = agent.replayer().onCall(frame, *thread);
  }
  if (agent.progressPoints().enabled()) agent.progressPoints().afterCall(frame.env, *thread, indexBefore);
  return result;
}

}  // namespace retrace::agent
