#include "code_identity.h"

#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "retrace/tape/frame.h"

namespace retrace::agent {

namespace {

std::vector<std::string> splitPath(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    if (colon > start) out.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

// Checksums a regular file; false when it cannot be read.
bool checksumFile(const std::string& path, uint32_t& crc, uint64_t& size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);  // a FIFO must not block
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return false;
  }
  size += static_cast<uint64_t>(st.st_size);
  if (st.st_size > 0) {
    void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return false;
    }
    crc = tape::crc32c(crc, map, static_cast<size_t>(st.st_size));
    munmap(map, static_cast<size_t>(st.st_size));
  }
  ::close(fd);
  return true;
}

bool isClassFile(const std::string& path) {
  return path.size() > 6 && path.compare(path.size() - 6, 6, ".class") == 0;
}

// A directory on the classpath: its .class files, in name order, path and content.
void checksumTree(const std::string& root, const std::string& relative, uint32_t& crc, uint64_t& size) {
  std::string dir = relative.empty() ? root : root + "/" + relative;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string rel = relative.empty() ? name : relative + "/" + name;
    std::string full = root + "/" + rel;
    struct stat st;
    if (lstat(full.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      checksumTree(root, rel, crc, size);
    } else if (S_ISREG(st.st_mode) && isClassFile(name)) {
      crc = tape::crc32c(crc, rel.data(), rel.size());
      checksumFile(full, crc, size);
    }
  }
}

tape::CodeEntry entryFor(const std::string& path, tape::CodeRole role) {
  tape::CodeEntry entry;
  entry.path = path;
  entry.role = role;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    entry.size = tape::CodeEntry::kMissing;
  } else if (S_ISDIR(st.st_mode)) {
    checksumTree(path, "", entry.crc32c, entry.size);
  } else {
    checksumFile(path, entry.crc32c, entry.size);
  }
  return entry;
}

bool underRoot(const std::string& path, const std::string& root) {
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || path[root.size()] == '/' || root == "/";
}

}  // namespace

std::string CodeIdentity::normalize(const std::string& cwd, const std::string& path) {
  std::string joined = !path.empty() && path[0] == '/' ? path : cwd + "/" + path;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(start, slash - start);
    start = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

void CodeIdentity::init(const std::string& cwd, const std::string& javaHome, const std::string& classPath,
                        const std::string& modulePath, const std::string& agentPath) {
  cwd_ = cwd;
  classPath_.clear();
  agentFiles_.clear();
  javaHome_ = normalize(cwd, javaHome);
  agentPath_ = normalize(cwd, agentPath);
  trees_ = {javaHome_, agentPath_};
  for (const std::string& entry : splitPath(classPath)) classPath_.push_back(normalize(cwd, entry));
  for (const std::string& entry : splitPath(modulePath)) classPath_.push_back(normalize(cwd, entry));
}

std::vector<std::string> CodeIdentity::javaAgentJars() {
  std::vector<std::string> words;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string word;
  while (std::getline(in, word, '\0')) words.push_back(word);
  for (const char* variable : {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}) {
    const char* value = getenv(variable);
    std::istringstream split(value != nullptr ? value : "");
    while (split >> word) words.push_back(word);
  }
  static const std::string kOption = "-javaagent:";
  std::vector<std::string> jars;
  for (const std::string& w : words) {
    if (w.compare(0, kOption.size(), kOption) == 0 && w.size() > kOption.size()) {
      jars.push_back(w.substr(kOption.size(),
                              w.find('=') == std::string::npos ? std::string::npos : w.find('=') - kOption.size()));
    }
  }
  return jars;
}

void CodeIdentity::addAgentFile(const std::string& path) {
  agentFiles_.push_back(normalize(cwd_, path));
  trees_.push_back(agentFiles_.back());
}

bool CodeIdentity::isCode(const char* path) const {
  if (path == nullptr || *path == '\0') return false;
  std::string normal = normalize(cwd_, path);
  for (const std::string& root : trees_) {
    if (underRoot(normal, root)) return true;
  }
  bool classFile = isClassFile(normal);
  for (const std::string& entry : classPath_) {
    if (normal == entry || (classFile && underRoot(normal, entry))) return true;
  }
  return false;
}

bool CodeIdentity::looksLikeCode(const std::string& path) {
  auto endsWith = [&path](const char* suffix) {
    size_t n = std::strlen(suffix);
    return path.size() > n && strcasecmp(path.c_str() + path.size() - n, suffix) == 0;
  };
  return endsWith(".jar") || endsWith(".zip") || endsWith(".class");
}

void CodeIdentity::noteFoundCode(const std::string& path) {
  std::string normal = normalize(cwd_, path);
  std::lock_guard<std::mutex> guard(foundMutex_);
  found_.insert(normal);
}

std::vector<tape::CodeEntry> CodeIdentity::foundCode() const {
  std::set<std::string> paths;
  {
    std::lock_guard<std::mutex> guard(foundMutex_);
    paths = found_;
  }
  std::vector<tape::CodeEntry> out;
  for (const std::string& path : paths) out.push_back(entryFor(path, tape::CodeRole::kLoaded));
  return out;
}

std::vector<tape::CodeEntry> CodeIdentity::fingerprint() const {
  // The JDK is identified by its release file (version and build) and libjvm.so, not by all of
  // lib/modules: checksumming 130 MB on every start would cost more than the JVM's own start-up.
  std::vector<tape::CodeEntry> out;
  out.push_back(entryFor(javaHome_ + "/release", tape::CodeRole::kJavaHome));
  out.push_back(entryFor(javaHome_ + "/lib/server/libjvm.so", tape::CodeRole::kJavaHome));
  for (const std::string& entry : classPath_) out.push_back(entryFor(entry, tape::CodeRole::kClasspath));
  out.push_back(entryFor(agentPath_, tape::CodeRole::kAgent));
  for (const std::string& file : agentFiles_) out.push_back(entryFor(file, tape::CodeRole::kAgent));
  return out;
}

std::string CodeIdentity::compare(const std::vector<tape::CodeEntry>& recorded) {
  for (const tape::CodeEntry& was : recorded) {
    tape::CodeEntry now = entryFor(was.path, was.role);
    if (now.crc32c == was.crc32c && now.size == was.size) continue;
    const char* what = was.role == tape::CodeRole::kJavaHome ? "the JDK file"
                       : was.role == tape::CodeRole::kAgent  ? "the agent"
                       : was.role == tape::CodeRole::kLoaded ? "the code file (opened by a class loader)"
                                                             : "the classpath entry";
    char line[512];
    if (now.size == tape::CodeEntry::kMissing) {
      std::snprintf(line, sizeof line, "%s %s is missing (it was there when recorded)", what, was.path.c_str());
    } else {
      std::snprintf(line, sizeof line,
                    "%s %s changed since the recording (crc32c %08x, %llu bytes; recorded %08x, %llu bytes)", what,
                    was.path.c_str(), now.crc32c, static_cast<unsigned long long>(now.size), was.crc32c,
                    static_cast<unsigned long long>(was.size));
    }
    return line;
  }
  return "";
}

}  // namespace retrace::agent
