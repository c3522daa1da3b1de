// Every trampoline lands here: pass the call through, or hand it to the active session.
#include "agent.h"
#include "boundary.h"
#include "record_session.h"
#include "replay_session.h"

namespace retrace::agent {

namespace {

class HookScope {
 public:
  explicit HookScope(ThreadState& thread) : thread_(thread) { thread_.inHook = true; }
  ~HookScope() { thread_.inHook = false; }

 private:
  ThreadState& thread_;
};

}  // namespace

jvalue dispatchCall(CallFrame& frame) {
  Agent& agent = Agent::get();
  if (!agent.active()) return frame.original();
  ThreadState* thread = agent.threads().current();
  // JDK system threads are outside the recording, and so is anything a hook itself calls.
  if (!thread->recorded || thread->inHook) return frame.original();
  if (frame.call.effect == Effect::THREAD_START) {
    agent.threads().noteStart(frame.env, frame.self, *thread);
    return frame.original();
  }
  HookScope scope(*thread);
  return agent.recording() ? agent.recorder().onCall(frame, *thread) : agent.replayer().onCall(frame, *thread);
}

}  // namespace retrace::agent
