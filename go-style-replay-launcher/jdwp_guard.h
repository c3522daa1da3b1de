// The debugger's way into a replay: `--debug PORT` puts this guard between the debugger and the
// JVM's own JDWP agent, which listens on a private loopback port. It passes everything through
// except what would change the replayed program's state, which is answered at once with
// NOT_IMPLEMENTED (JDI throws UnsupportedOperationException) and a line on stderr:
//   VirtualMachine.RedefineClasses, ClassType.SetValues, ObjectReference.SetValues,
//   ThreadReference.ForceEarlyReturn, ArrayReference.SetValues, StackFrame.SetValues,
//   StackFrame.PopFrames.
// The JVM's answer to VirtualMachine.CapabilitiesNew is rewritten to say it cannot redefine
// classes, add methods, pop frames or force early returns, so debuggers grey those out.
// A replay's state comes from its recording: a changed value would make it diverge (or, worse,
// run on as a different execution); evaluations (method invocations) are allowed, see
// docs/debugging.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

namespace retrace::launcher {

/** The packet filter, apart from the sockets (unit-tested alone). */
class JdwpGuard {
 public:
  /** Called with one line for each refused command. */
  explicit JdwpGuard(std::function<void(const std::string&)> refused) : refused_(std::move(refused)) {}

  /**
   * Bytes from the debugger: appends what goes on to the JVM to `toJvm` and the answers to
   * refused commands to `toDebugger`. Packets may arrive in pieces. False on a malformed stream.
   */
  bool fromDebugger(const uint8_t* data, size_t size, std::vector<uint8_t>& toJvm, std::vector<uint8_t>& toDebugger);
  /** Bytes from the JVM: appends what goes on to the debugger (capabilities rewritten) to `toDebugger`. */
  bool fromJvm(const uint8_t* data, size_t size, std::vector<uint8_t>& toDebugger);

  /** The name of a refused command set/command, or null when it passes. */
  static const char* refusedCommand(uint8_t commandSet, uint8_t command);

 private:
  struct Direction {
    std::vector<uint8_t> pending;
    size_t handshakeLeft = 14;  // "JDWP-Handshake", once each way, before any packet
  };
  /** Takes whole packets from `d`, after its handshake bytes, calling `packet` for each. */
  static bool split(Direction& d, const uint8_t* data, size_t size, std::vector<uint8_t>& handshake,
                    const std::function<void(std::vector<uint8_t>&)>& packet, bool& ok);

  std::function<void(const std::string&)> refused_;
  Direction debugger_;
  Direction jvm_;
  std::unordered_set<uint32_t> capabilitiesRequests_;  // ids of CapabilitiesNew commands in flight
};

/**
 * Accepts debuggers on `listener` (a listening socket) one after another, and for each connects
 * to the JDWP agent at 127.0.0.1:`jvmPort` (retrying while the JVM starts) and relays through a
 * JdwpGuard until either side closes. Returns when the JVM's side cannot be reached any more.
 */
void relayDebuggers(int listener, int jvmPort);

}  // namespace retrace::launcher
