#include "options.h"

#include <cstdlib>
#include <cstring>

#include "redaction.h"

namespace retrace::agent {

namespace {

bool parseUnsigned(const std::string& text, uint32_t& out) {
  if (text.empty() || text.size() > 10) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return false;
  out = static_cast<uint32_t>(value);
  return true;
}

}  // namespace

const char* optionsUsage() {
  return "options: record|replay, tape=PATH, save_on=always|failure, stacktraces, verbose, escape_after=MS (record), "
         "preempt=on|off|fields (record), chaos (record), keep_references (record), redact=PATTERN:PATTERN (record), "
         "no_default_redact "
         "(record), no_children (record), "
         "pid=N, check_stacks, debug, why=PATH, codemap=PATH, any_build (replay)";
}

bool parseOptions(const char* text, Options& options, std::string& error) {
  options = Options{};
  options.raw = text != nullptr ? text : "";
  bool modeSeen = false;
  bool escapeSeen = false;
  bool preemptSeen = false;
  bool chaosSeen = false;
  bool keepSeen = false;
  bool noChildrenSeen = false;
  size_t start = 0;
  const std::string& all = options.raw;
  while (start <= all.size()) {
    size_t comma = all.find(',', start);
    if (comma == std::string::npos) comma = all.size();
    std::string item = all.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) {
      if (comma == all.size()) break;
      error = "empty option in '" + all + "'";
      return false;
    }
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    bool hasValue = eq != std::string::npos;
    auto flag = [&](bool& target) {
      if (hasValue) {
        error = "option '" + key + "' takes no value";
        return false;
      }
      target = true;
      return true;
    };
    if (key == "record" || key == "replay") {
      if (hasValue) {
        error = "option '" + key + "' takes no value";
        return false;
      }
      if (modeSeen) {
        error = "give either record or replay, once";
        return false;
      }
      modeSeen = true;
      options.mode = key == "record" ? Mode::kRecord : Mode::kReplay;
    } else if (key == "tape") {
      if (value.empty()) {
        error = "option 'tape' needs a path: tape=PATH";
        return false;
      }
      options.tape = value;
    } else if (key == "why") {
      if (value.empty()) {
        error = "option 'why' needs a path: why=PATH";
        return false;
      }
      options.why = value;
    } else if (key == "codemap") {
      if (value.empty() || value[0] != '/') {
        error = "option 'codemap' needs an absolute path: codemap=PATH";
        return false;
      }
      options.codeMap = value;
    } else if (key == "save_on") {
      if (value == "always") {
        options.saveOn = SaveOn::kAlways;
      } else if (value == "failure") {
        options.saveOn = SaveOn::kFailure;
      } else {
        error = "save_on must be always or failure, not '" + value + "'";
        return false;
      }
    } else if (key == "stacktraces") {
      if (!flag(options.stacktraces)) return false;
    } else if (key == "verbose") {
      if (!flag(options.verbose)) return false;
    } else if (key == "check_stacks") {
      if (!flag(options.checkStacks)) return false;
    } else if (key == "debug") {
      if (!flag(options.debug)) return false;
    } else if (key == "any_build") {
      if (!flag(options.anyBuild)) return false;
    } else if (key == "pid") {
      if (!parseUnsigned(value, options.pid) || options.pid == 0) {
        error = "pid must be a process id, not '" + value + "'";
        return false;
      }
    } else if (key == "escape_after") {
      if (!parseUnsigned(value, options.escapeAfterMillis)) {
        error = "escape_after must be a number of milliseconds (0: never), not '" + value + "'";
        return false;
      }
      escapeSeen = true;
    } else if (key == "preempt") {
      if (value != "on" && value != "off" && value != "fields") {
        error = "preempt must be on, off or fields, not '" + value + "'";
        return false;
      }
      options.preempt = value != "off";
      options.preemptFields = value == "fields";
      preemptSeen = true;
    } else if (key == "chaos") {
      if (!flag(options.chaos)) return false;
      if (!preemptSeen) options.preempt = true;
      chaosSeen = true;
    } else if (key == "keep_references") {
      if (!flag(options.keepReferences)) return false;
      keepSeen = true;
    } else if (key == "redact") {
      std::vector<std::string> patterns = Redaction::split(value);
      if (patterns.empty()) {
        error = "option 'redact' needs name patterns: redact=PATTERN[:PATTERN...], e.g. redact=*TOKEN*:DB_PASS";
        return false;
      }
      options.redactPatterns.insert(options.redactPatterns.end(), patterns.begin(), patterns.end());
    } else if (key == "no_children") {
      bool set = false;
      if (!flag(set)) return false;
      options.children = false;
      noChildrenSeen = true;
    } else if (key == "no_default_redact") {
      bool set = false;
      if (!flag(set)) return false;
      options.defaultRedact = false;
    } else if (key == "redacted") {
      options.redactedSeen = true;
      options.redacted = Redaction::split(value);
    } else {
      error = "unknown option '" + key + "'";
      return false;
    }
  }
  if (options.chaos && !options.preempt) {
    error = "chaos preempts threads: it cannot go with preempt=off";
    return false;
  }
  if (!modeSeen) {
    error = "say record or replay";
    return false;
  }
  if (options.mode == Mode::kReplay && options.tape.empty()) {
    error = "replay needs tape=PATH";
    return false;
  }
  if (options.mode == Mode::kReplay && (escapeSeen || preemptSeen || chaosSeen || keepSeen || noChildrenSeen)) {
    error = std::string("option '") +
            (escapeSeen    ? "escape_after"
             : preemptSeen ? "preempt"
             : chaosSeen   ? "chaos"
             : keepSeen    ? "keep_references"
                           : "no_children") +
            "' is for record (replay follows the recording)";
    return false;
  }
  if (options.mode == Mode::kReplay && (!options.redactPatterns.empty() || !options.defaultRedact)) {
    error = std::string("option '") + (options.redactPatterns.empty() ? "no_default_redact" : "redact") +
            "' is for record (replay redacts what the recording did)";
    return false;
  }
  if (options.mode == Mode::kRecord) {
    const std::pair<bool, const char*> replayOnly[] = {
        {options.pid != 0, "pid"},     {options.checkStacks, "check_stacks"}, {options.debug, "debug"},
        {!options.why.empty(), "why"}, {!options.codeMap.empty(), "codemap"}, {options.anyBuild, "any_build"}};
    for (const auto& [given, name] : replayOnly) {
      if (given) {
        error = std::string("option '") + name + "' is for replay";
        return false;
      }
    }
  }
  return true;
}

std::string childAgentOptions(const std::string& raw, const std::string& absoluteTape) {
  std::string out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t comma = raw.find(',', start);
    if (comma == std::string::npos) comma = raw.size();
    std::string item = raw.substr(start, comma - start);
    start = comma + 1;
    if (item.empty() || item.rfind("tape=", 0) == 0) continue;
    out += out.empty() ? item : "," + item;
    if (item == "record") out += ",tape=" + absoluteTape;
  }
  return out;
}

std::vector<std::string> effectiveRedactPatterns(const Options& options) {
  std::vector<std::string> out;
  if (options.defaultRedact) out = Redaction::defaultPatterns();
  for (const std::string& pattern : options.redactPatterns) {
    bool known = false;
    for (const std::string& have : out) known = known || have == pattern;
    if (!known) out.push_back(pattern);
  }
  return out;
}

}  // namespace retrace::agent
