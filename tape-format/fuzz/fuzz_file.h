// The fuzzer's input as a file: the reader opens recordings by path (as every verb does), so the
// bytes go to an anonymous in-memory file and the path is its /proc/self/fd entry.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace retrace::tape::fuzz {

class FuzzFile {
 public:
  FuzzFile(const uint8_t* data, size_t size) : fd_(memfd_create("retrace-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) return;
    size_t written = 0;
    while (written < size) {
      ssize_t n = write(fd_, data + written, size - written);
      if (n <= 0) return;
      written += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  FuzzFile(const FuzzFile&) = delete;
  FuzzFile& operator=(const FuzzFile&) = delete;
  ~FuzzFile() {
    if (fd_ >= 0) close(fd_);
  }

  /** Empty when the input could not be written (then the run tells nothing). */
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace retrace::tape::fuzz
