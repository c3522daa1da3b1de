// Which file descriptors and directory handles belong to program code (pass-through: read live,
// never recorded). Everything else is answered from the tape on replay. Also which descriptors are
// pipes from a child process, whose reads wait for the child like a socket's.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace retrace::agent {

class FdTable {
 public:
  bool isPassThrough(int fd) const { return has(fd, kPassThrough); }
  /** False also forgets that it was a pipe: the number is being closed, or reused. */
  void setPassThrough(int fd, bool value) { set(fd, value ? kPassThrough : 0); }

  bool isChildPipe(int fd) const { return has(fd, kChildPipe); }
  void setChildPipe(int fd) { set(fd, kChildPipe); }

  bool isPassThroughDir(int64_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    return dirs_.count(handle) != 0;
  }
  void setPassThroughDir(int64_t handle, bool value) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (value)
      dirs_.insert(handle);
    else
      dirs_.erase(handle);
  }

 private:
  static constexpr int kSize = 1 << 16;
  static constexpr uint8_t kPassThrough = 1;
  static constexpr uint8_t kChildPipe = 2;

  bool has(int fd, uint8_t flag) const {
    return fd >= 0 && fd < kSize && (flags_[fd].load(std::memory_order_relaxed) & flag) != 0;
  }
  void set(int fd, uint8_t flags) {
    if (fd >= 0 && fd < kSize) flags_[fd].store(flags, std::memory_order_relaxed);
  }

  std::atomic<uint8_t> flags_[kSize] = {};
  std::mutex mutex_;
  std::unordered_set<int64_t> dirs_;
};

}  // namespace retrace::agent
