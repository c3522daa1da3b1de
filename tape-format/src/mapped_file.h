// A whole regular file in memory, read-only: mapped (a tape can be gigabytes and is read mostly
// once), or read into the heap where the file system cannot map. Anything else (a FIFO, a device,
// a socket, a directory) is refused without waiting for it: reading one could block or never end.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace retrace::tape::detail {

/** "a FIFO", "a character device", ...: what a file that is not a regular file is, for a message. */
const char* fileKindOf(mode_t mode);

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  /**
   * False and a one-line message naming `path` when it cannot be opened or read, or is not a
   * regular file (`PATH is not a regular file (a FIFO)`).
   */
  bool open(const std::string& path, std::string& error);

  const uint8_t* data() const { return mapped_ != nullptr ? mapped_ : heap_.data(); }
  size_t size() const { return size_; }

 private:
  const uint8_t* mapped_ = nullptr;
  std::vector<uint8_t> heap_;
  size_t size_ = 0;
};

}  // namespace retrace::tape::detail
