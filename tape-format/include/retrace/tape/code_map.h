// Where a packed recording's code is on this machine: the code map `retrace replay` writes when it
// extracts a pack (docs/recording-format.md#the-pack), one line per code entry of the recording:
//
//   <recorded absolute path>\t<local path>\n
//
// A file entry maps that one path; a directory entry maps everything below it (the recorded
// program asks for /ci/work/target/classes/demo/A.class, the replay reads <tree>/demo/A.class).
// The launcher uses it for what the java launcher and HotSpot open themselves (-jar,
// -javaagent, -Xbootclasspath/a), the replay agent for what Java code opens through the boundary
// and for the code checksums.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace retrace::tape {

class CodeMap {
 public:
  /** Reads a code map; nullopt and a one-line `error` when it cannot be read or a line is not "A\tB". */
  static std::optional<CodeMap> load(const std::string& path, std::string& error);
  /** From lines of text (the file's content). */
  static std::optional<CodeMap> parse(const std::string& text, std::string& error);

  /** One more entry (the replay agent maps Retrace's own recorded files to this installation's). */
  void add(std::string recorded, std::string local);

  /** Where `recorded` (absolute) is here: its entry, or below a directory entry; empty when not mapped. */
  std::string local(const std::string& recorded) const;
  /** The inverse: the recorded path of a local one; empty when it is not in the map. */
  std::string recorded(const std::string& local) const;

  /** Every local path the map names (files and directories). */
  std::vector<std::string> locals() const;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  void sort();
  // (recorded, local), longest recorded path first: a jar inside a mapped directory maps as itself.
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace retrace::tape
