#include "proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

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

bool procSchedStat(long tid, unsigned long long& running, unsigned long long& runnable) {
  std::string path = "/proc/self/task/" + std::to_string(tid) + "/schedstat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[128];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return false;
  buffer[n] = '\0';
  return sscanf(buffer, "%llu %llu", &running, &runnable) == 2;
}

}  // namespace retrace::agent
