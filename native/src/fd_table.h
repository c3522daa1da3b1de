// Which file descriptors and directory handles belong to program code (pass-through: read live,
// never recorded). Everything else is answered from the tape on replay.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace retrace::agent {

class FdTable {
 public:
  bool isPassThrough(int fd) const {
    return fd >= 0 && fd < kSize && passThrough_[fd].load(std::memory_order_relaxed) != 0;
  }
  void setPassThrough(int fd, bool value) {
    if (fd >= 0 && fd < kSize) passThrough_[fd].store(value ? 1 : 0, std::memory_order_relaxed);
  }

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
  std::atomic<uint8_t> passThrough_[kSize] = {};
  std::mutex mutex_;
  std::unordered_set<int64_t> dirs_;
};

}  // namespace retrace::agent
