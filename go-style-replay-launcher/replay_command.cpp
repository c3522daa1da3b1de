#include "replay_command.h"

#include <algorithm>
#include <cctype>

namespace retrace::launcher {
namespace {

// The variables the JVM reads options and its classpath from; they are part of the recorded command
// line. (Surefire, for one, hands its fork the classpath in CLASSPATH.)
const char* const kJvmInputVariables[] = {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH"};

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string variableName(const std::string& entry) {
  size_t eq = entry.find('=');
  return eq == std::string::npos ? entry : entry.substr(0, eq);
}

const std::string* findVariable(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env) {
    if (entry.size() > name.size() && entry[name.size()] == '=' && startsWith(entry, name)) return &entry;
  }
  return nullptr;
}

bool isJvmInputVariable(const std::string& name) {
  for (const char* v : kJvmInputVariables) {
    if (name == v) return true;
  }
  return false;
}

struct Token {
  std::string raw;    // as written, quotes included
  std::string value;  // quotes removed
};

// HotSpot's Arguments::parse_options_buffer: white space separates, quotes group.
std::vector<Token> splitOptions(const std::string& text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == text.size()) break;
    Token token;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      char c = text[i];
      if (c == '\'' || c == '"') {
        size_t close = text.find(c, i + 1);
        if (close == std::string::npos) close = text.size();
        token.value.append(text, i + 1, close - i - 1);
        i = std::min(close + 1, text.size());
      } else {
        token.value.push_back(c);
        ++i;
      }
    }
    token.raw = text.substr(start, i - start);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

std::string shellQuote(const std::string& s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string("-_./=:,+@%").find(c) != std::string::npos;
  });
  if (plain) return s;
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

bool isRetraceAgentArgument(const std::string& argument) {
  static const std::string kAgentPath = "-agentpath:";
  static const std::string kAgentLib = "-agentlib:";
  if (startsWith(argument, kAgentPath)) {
    // The JVM splits at the first '=': library path, then options.
    std::string library = argument.substr(kAgentPath.size());
    library = library.substr(0, library.find('='));
    return baseName(library) == "libretrace.so";
  }
  if (startsWith(argument, kAgentLib)) {
    std::string name = argument.substr(kAgentLib.size());
    return name.substr(0, name.find('=')) == "retrace";
  }
  return false;
}

std::string replayAgentArgument(const ReplayRequest& request) {
  std::string argument = "-agentpath:" + request.agentPath + "=replay,tape=" + request.recordingPath +
                         ",pid=" + std::to_string(request.pid);
  if (request.checkStacks) argument += ",check_stacks";
  if (!request.debugAddress.empty()) argument += ",debug";
  if (!request.whyPath.empty()) argument += ",why=" + request.whyPath;
  if (!request.codeMapPath.empty()) argument += ",codemap=" + request.codeMapPath;
  if (request.anyBuild) argument += ",any_build";
  if (request.verbose) argument += ",verbose";
  return argument;
}

std::string debuggerAgentArgument(const std::string& address) {
  // quiet: JDWP would print "Listening for transport ..." to the program's stdout.
  return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,quiet=y,address=" + address;
}

bool debugAddress(const std::string& value, std::string& address, std::string& error) {
  size_t colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "127.0.0.1" : value.substr(0, colon);
  std::string port = colon == std::string::npos ? value : value.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) == 0 || std::stoul(port) > 65535 || host.empty() ||
      host.find_first_of(", ") != std::string::npos) {
    error = "--debug needs PORT or HOST:PORT (a port from 1 to 65535), not '" + value + "'";
    return false;
  }
  address = host + ":" + port;
  return true;
}

std::vector<std::string> replayArguments(const std::vector<std::string>& recordedArgv, const std::string& javaPath,
                                         const std::string& agentArgument) {
  // Replay touches nothing, and the JVM itself would create /tmp/hsperfdata_<user>/<pid>.
  static const std::string kNoPerfData = "-XX:-UsePerfData";
  std::vector<std::string> argv{javaPath};
  bool placed = false;
  for (size_t i = 1; i < recordedArgv.size(); ++i) {
    if (isRetraceAgentArgument(recordedArgv[i])) {
      if (!placed) {
        argv.push_back(agentArgument);
        argv.push_back(kNoPerfData);
      }
      placed = true;
    } else {
      argv.push_back(recordedArgv[i]);
    }
  }
  if (!placed) argv.insert(argv.begin() + 1, {agentArgument, kNoPerfData});
  return argv;
}

std::string withoutRetraceAgent(const std::string& javaToolOptions) {
  std::string result;
  for (const Token& token : splitOptions(javaToolOptions)) {
    if (isRetraceAgentArgument(token.value)) continue;
    if (!result.empty()) result += ' ';
    result += token.raw;
  }
  return result;
}

std::vector<std::string> replayEnvironment(const std::vector<std::string>& current,
                                           const std::vector<std::string>& recorded) {
  std::vector<std::string> env;
  for (const std::string& entry : current) {
    if (!isJvmInputVariable(variableName(entry))) env.push_back(entry);
  }
  for (const char* name : kJvmInputVariables) {
    const std::string* entry = findVariable(recorded, name);
    if (entry == nullptr) continue;
    std::string value = entry->substr(std::string(name).size() + 1);
    if (std::string(name) == "JAVA_TOOL_OPTIONS") {
      value = withoutRetraceAgent(value);
      if (value.empty()) continue;
    }
    env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

ReplayCommand buildReplayCommand(const tape::ProcessStartInfo& start, const ReplayRequest& request,
                                 const std::vector<std::string>& currentEnvironment) {
  ReplayCommand command;
  command.program = normalizePath((request.javaHome.empty() ? start.javaHome : request.javaHome) + "/bin/java");
  const std::string agent = replayAgentArgument(request);
  command.argv = replayArguments(start.argv, command.program, agent);
  if (!request.debugAddress.empty()) {
    auto at = std::find(command.argv.begin(), command.argv.end(), agent);
    command.argv.insert(at + 1, debuggerAgentArgument(request.debugAddress));
  }
  command.env = replayEnvironment(currentEnvironment, start.env);
  command.cwd = start.cwd;
  return command;
}

std::string shellLine(const ReplayCommand& command, const std::vector<std::string>& currentEnvironment) {
  std::string line = "cd " + shellQuote(command.cwd) + " && ";
  std::string unset, set;  // env wants its options before the assignments
  for (const char* name : kJvmInputVariables) {
    const std::string* before = findVariable(currentEnvironment, name);
    const std::string* after = findVariable(command.env, name);
    if (after != nullptr && (before == nullptr || *before != *after)) {
      set += shellQuote(*after) + " ";
    } else if (after == nullptr && before != nullptr) {
      unset += std::string("-u ") + name + " ";
    }
  }
  if (!unset.empty() || !set.empty()) line += "env " + unset + set;
  for (size_t i = 0; i < command.argv.size(); ++i) {
    if (i > 0) line += ' ';
    line += shellQuote(command.argv[i]);
  }
  return line;
}

std::string normalizePath(const std::string& path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string result = absolute ? "/" : "";
  for (size_t p = 0; p < parts.size(); ++p) {
    if (p > 0) result += '/';
    result += parts[p];
  }
  return result.empty() ? "." : result;
}

}  // namespace retrace::launcher
