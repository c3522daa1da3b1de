#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace retrace::tape::detail {
namespace {

/** Closes a descriptor on every path out of open(). */
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

/** False and the message when `st` is not a regular file: a recording is never read from anything else. */
bool isRegular(const std::string& path, const struct stat& st, std::string& error) {
  if (S_ISREG(st.st_mode)) return true;
  if (S_ISDIR(st.st_mode)) {
    error = path + " is a directory, not a Retrace recording";
  } else {
    error = path + " is not a regular file (" + fileKindOf(st.st_mode) + ")";
  }
  return false;
}

}  // namespace

const char* fileKindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

MappedFile::~MappedFile() {
  if (mapped_ != nullptr) munmap(const_cast<uint8_t*>(mapped_), size_);
}

bool MappedFile::open(const std::string& path, std::string& error) {
  // Refused before it is opened when it is already known not to be a regular file (opening a
  // device can have effects of its own); the fstat below decides, as the path may change between.
  struct stat st = {};
  if (::stat(path.c_str(), &st) == 0 && !isRegular(path, st, error)) return false;
  // O_NONBLOCK: opening a FIFO without a writer would wait for one, forever.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  if (fstat(fd.get(), &st) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  if (!isRegular(path, st, error)) return false;
  int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ == 0) return true;
  void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p != MAP_FAILED) {
    mapped_ = static_cast<const uint8_t*>(p);
    return true;
  }
  // Some file systems cannot map: read it instead, as much as it held at the fstat (what the
  // mapping would have shown), so that a file still growing is read in bounded time too.
  const size_t want = size_;
  size_ = 0;
  heap_.resize(want);
  size_t have = 0;
  while (have < want) {
    ssize_t n = ::read(fd.get(), heap_.data() + have, want - have);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      heap_.clear();
      error = "cannot read " + path + ": " + std::strerror(errno);
      return false;
    }
    have += static_cast<size_t>(n);
  }
  heap_.resize(have);
  size_ = have;
  return true;
}

}  // namespace retrace::tape::detail
