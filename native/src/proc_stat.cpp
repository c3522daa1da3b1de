#include "proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

namespace retrace::agent {

std::string procStatFields(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buffer[1024];
  ssize_t n = read(fd, buffer, sizeof buffer);
  close(fd);
  if (n <= 0) return "";
  std::string stat(buffer, static_cast<size_t>(n));
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 > stat.size() ? "" : stat.substr(close + 2);
}

}  // namespace retrace::agent
