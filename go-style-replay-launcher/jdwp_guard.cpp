#include "jdwp_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace retrace::launcher {
namespace {

constexpr size_t kHeader = 11;  // length u4, id u4, flags u1, then command set and command (or error code)
constexpr uint8_t kReplyFlag = 0x80;
constexpr uint16_t kNotImplemented = 99;
// VirtualMachine.CapabilitiesNew: the reply's booleans that say a state change is possible.
constexpr uint8_t kVirtualMachine = 1;
constexpr uint8_t kCapabilitiesNew = 17;
constexpr size_t kCanRedefineClasses = 7, kCanAddMethod = 8, kCanUnrestrictedlyRedefine = 9, kCanPopFrames = 10,
                 kCanForceEarlyReturn = 20;

uint32_t u4At(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void putU4(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

bool writeAll(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

int connectToJvm(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; attempt < 600; ++attempt) {  // the JVM may still be starting: up to a minute
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    close(fd);
    usleep(100 * 1000);
  }
  return -1;
}

/**
 * JDWP is request and reply, a few small packets at a time: without this, Nagle's algorithm holds
 * each relayed packet back until the peer's delayed ACK (~40 ms), and a debugger that steps or
 * stops at many events (a step back traces lines) waits that long for every one.
 */
void sendAtOnce(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

const char* JdwpGuard::refusedCommand(uint8_t commandSet, uint8_t command) {
  switch (commandSet * 256 + command) {
    case 1 * 256 + 18:
      return "VirtualMachine.RedefineClasses (hot swap)";
    case 3 * 256 + 2:
      return "ClassType.SetValues (set a static field)";
    case 9 * 256 + 3:
      return "ObjectReference.SetValues (set a field)";
    case 11 * 256 + 14:
      return "ThreadReference.ForceEarlyReturn (force a return)";
    case 13 * 256 + 3:
      return "ArrayReference.SetValues (set array elements)";
    case 16 * 256 + 2:
      return "StackFrame.SetValues (set a local variable)";
    case 16 * 256 + 4:
      return "StackFrame.PopFrames (drop a frame)";
    default:
      return nullptr;
  }
}

bool JdwpGuard::split(Direction& d, const uint8_t* data, size_t size, std::vector<uint8_t>& handshake,
                      const std::function<void(std::vector<uint8_t>&)>& packet, bool& ok) {
  size_t skip = std::min(d.handshakeLeft, size);
  handshake.insert(handshake.end(), data, data + skip);
  d.handshakeLeft -= skip;
  d.pending.insert(d.pending.end(), data + skip, data + size);
  while (d.pending.size() >= kHeader) {
    uint32_t length = u4At(d.pending.data());
    if (length < kHeader) {
      ok = false;
      return false;
    }
    if (d.pending.size() < length) break;
    std::vector<uint8_t> one(d.pending.begin(), d.pending.begin() + length);
    d.pending.erase(d.pending.begin(), d.pending.begin() + length);
    packet(one);
  }
  return true;
}

bool JdwpGuard::fromDebugger(const uint8_t* data, size_t size, std::vector<uint8_t>& toJvm,
                             std::vector<uint8_t>& toDebugger) {
  bool ok = true;
  split(
      debugger_, data, size, toJvm,
      [&](std::vector<uint8_t>& p) {
        uint32_t id = u4At(p.data() + 4);
        bool reply = (p[8] & kReplyFlag) != 0;
        const char* refused = reply ? nullptr : refusedCommand(p[9], p[10]);
        if (refused == nullptr) {
          if (!reply && p[9] == kVirtualMachine && p[10] == kCapabilitiesNew) capabilitiesRequests_.insert(id);
          toJvm.insert(toJvm.end(), p.begin(), p.end());
          return;
        }
        putU4(toDebugger, kHeader);
        putU4(toDebugger, id);
        toDebugger.push_back(kReplyFlag);
        toDebugger.push_back(static_cast<uint8_t>(kNotImplemented >> 8));
        toDebugger.push_back(static_cast<uint8_t>(kNotImplemented & 0xff));
        refused_(std::string("the debugger asked for ") + refused +
                 ": refused, a replay's state comes from its recording (docs/debugging.md)");
      },
      ok);
  return ok;
}

bool JdwpGuard::fromJvm(const uint8_t* data, size_t size, std::vector<uint8_t>& toDebugger) {
  bool ok = true;
  split(
      jvm_, data, size, toDebugger,
      [&](std::vector<uint8_t>& p) {
        bool reply = (p[8] & kReplyFlag) != 0;
        uint32_t id = u4At(p.data() + 4);
        uint16_t error = static_cast<uint16_t>((p[9] << 8) | p[10]);
        if (reply && capabilitiesRequests_.erase(id) != 0 && error == 0) {
          for (size_t flag :
               {kCanRedefineClasses, kCanAddMethod, kCanUnrestrictedlyRedefine, kCanPopFrames, kCanForceEarlyReturn}) {
            if (kHeader + flag < p.size()) p[kHeader + flag] = 0;
          }
        }
        toDebugger.insert(toDebugger.end(), p.begin(), p.end());
      },
      ok);
  return ok;
}

void relayDebuggers(int listener, int jvmPort) {
  for (;;) {
    int debugger = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (debugger < 0) {
      if (errno == EINTR) continue;
      return;
    }
    int jvm = connectToJvm(jvmPort);
    if (jvm < 0) {
      close(debugger);
      return;
    }
    sendAtOnce(debugger);
    sendAtOnce(jvm);
    JdwpGuard guard([](const std::string& line) { std::fprintf(stderr, "retrace-replay: %s\n", line.c_str()); });
    bool jvmClosed = false;
    uint8_t buffer[65536];
    for (;;) {
      pollfd fds[2] = {{debugger, POLLIN, 0}, {jvm, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      std::vector<uint8_t> toJvm, toDebugger;
      if (fds[0].revents != 0) {
        ssize_t n = read(debugger, buffer, sizeof buffer);
        if (n <= 0 || !guard.fromDebugger(buffer, static_cast<size_t>(n), toJvm, toDebugger)) break;
      }
      if (fds[1].revents != 0) {
        ssize_t n = read(jvm, buffer, sizeof buffer);
        if (n <= 0 || !guard.fromJvm(buffer, static_cast<size_t>(n), toDebugger)) {
          jvmClosed = true;
          writeAll(debugger, toDebugger);
          break;
        }
      }
      if (!writeAll(jvm, toJvm)) {
        jvmClosed = true;
        break;
      }
      if (!writeAll(debugger, toDebugger)) break;
    }
    close(debugger);
    close(jvm);
    if (jvmClosed) return;  // the replay ended (or its agent hung up): nobody left to debug
  }
}

}  // namespace retrace::launcher
