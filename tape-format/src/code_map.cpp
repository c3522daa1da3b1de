#include "retrace/tape/code_map.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace retrace::tape {
namespace {

/** `path` is `root` or lies below it. */
bool under(const std::string& path, const std::string& root) {
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

std::string rebase(const std::string& path, const std::string& from, const std::string& to) {
  return to + path.substr(from.size());
}

}  // namespace

std::optional<CodeMap> CodeMap::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the code map " + path;
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::optional<CodeMap> map = parse(text.str(), error);
  if (!map) error = "the code map " + path + ": " + error;
  return map;
}

std::optional<CodeMap> CodeMap::parse(const std::string& text, std::string& error) {
  CodeMap map;
  std::istringstream lines(text);
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size() || line[0] != '/' || line[tab + 1] != '/' ||
        line.find('\t', tab + 1) != std::string::npos) {
      error = "line " + std::to_string(number) + " is not <recorded absolute path> TAB <local absolute path>";
      return std::nullopt;
    }
    map.entries_.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  map.sort();
  return map;
}

void CodeMap::add(std::string recorded, std::string local) {
  entries_.emplace_back(std::move(recorded), std::move(local));
  sort();
}

void CodeMap::sort() {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string CodeMap::local(const std::string& recorded) const {
  for (const auto& [from, to] : entries_) {
    if (under(recorded, from)) return rebase(recorded, from, to);
  }
  return "";
}

std::vector<std::string> CodeMap::locals() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.second);
  return out;
}

std::string CodeMap::recorded(const std::string& local) const {
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& entry : entries_) {
    if (under(local, entry.second) && (best == nullptr || entry.second.size() > best->second.size())) best = &entry;
  }
  return best != nullptr ? rebase(local, best->second, best->first) : "";
}

}  // namespace retrace::tape
