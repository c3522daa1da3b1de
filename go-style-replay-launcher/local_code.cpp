#include "local_code.h"

#include "replay_command.h"
#include "trust.h"

namespace retrace::launcher {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string localOf(const std::string& path, const std::string& cwd, const tape::CodeMap& map) {
  if (path.empty()) return path;
  std::string absolute = normalizePath(!path.empty() && path[0] == '/' ? path : cwd + "/" + path);
  std::string local = map.local(absolute);
  return local.empty() ? path : local;
}

}  // namespace

std::vector<std::string> withLocalCode(const std::vector<std::string>& argv, const std::string& recordedCwd,
                                       const tape::CodeMap& map) {
  static const std::string kJavaAgent = "-javaagent:";
  static const std::string kBootAppend = "-Xbootclasspath/a:";
  std::vector<std::string> out = argv;
  // jvmOptionsOf gives argv[1..] up to the main class, values included, in order.
  const size_t optionsEnd = 1 + jvmOptionsOf(argv).size();
  for (size_t i = 1; i < optionsEnd && i < out.size(); ++i) {
    std::string& arg = out[i];
    if (startsWith(arg, kJavaAgent)) {
      std::string rest = arg.substr(kJavaAgent.size());
      size_t eq = rest.find('=');
      arg =
          kJavaAgent + localOf(rest.substr(0, eq), recordedCwd, map) + (eq == std::string::npos ? "" : rest.substr(eq));
    } else if (startsWith(arg, kBootAppend)) {
      std::string paths = arg.substr(kBootAppend.size());
      std::string mapped;
      for (size_t from = 0; from <= paths.size();) {
        size_t colon = paths.find(':', from);
        if (colon == std::string::npos) colon = paths.size();
        if (!mapped.empty()) mapped += ':';
        mapped += localOf(paths.substr(from, colon - from), recordedCwd, map);
        from = colon + 1;
      }
      arg = kBootAppend + mapped;
    } else if (arg == "-jar" && i + 1 < out.size()) {
      out[i + 1] = localOf(out[i + 1], recordedCwd, map);
    }
  }
  return out;
}

}  // namespace retrace::launcher
