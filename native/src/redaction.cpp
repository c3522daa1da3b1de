#include "redaction.h"

#include <stdlib.h>

#include <cctype>
#include <cstring>
#include <utility>

extern char** environ;

namespace retrace::agent {

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool endsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (lower(text[text.size() - suffix.size() + i]) != lower(suffix[i])) return false;
  }
  return true;
}

// The java launcher's options that take the next argument as their value (JDK 17 and 25): the
// first argument after the options that is neither is the main class (or -jar's jar, -m's module),
// and what follows belongs to the program.
bool takesValue(std::string_view option) {
  static constexpr const char* kWithValue[] = {"-cp",
                                               "-classpath",
                                               "--class-path",
                                               "-p",
                                               "--module-path",
                                               "--add-modules",
                                               "--limit-modules",
                                               "--upgrade-module-path",
                                               "--add-reads",
                                               "--add-exports",
                                               "--add-opens",
                                               "--patch-module",
                                               "--enable-native-access",
                                               "--source",
                                               "--describe-module",
                                               "-d"};
  for (const char* known : kWithValue) {
    if (option == known) return true;
  }
  return false;
}

}  // namespace

const std::vector<std::string>& Redaction::defaultPatterns() {
  // Keep in sync with docs/cli.md#redaction. Glob patterns, case-insensitive; the names that the
  // globs already cover are listed because users look for them.
  static const std::vector<std::string> patterns = {
      "*PASSWORD*",        "*PASSWD*",     "*SECRET*",      "*TOKEN*",
      "*API_KEY*",         "*APIKEY*",     "*PRIVATE_KEY*", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "GH_TOKEN",      "NPM_TOKEN",
      "SLACK_WEBHOOK_URL"};
  return patterns;
}

bool Redaction::globMatch(std::string_view pattern, std::string_view name) {
  // Iterative, with one backtrack point: linear in practice, never exponential.
  size_t p = 0, n = 0, starP = std::string_view::npos, starN = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(name[n]))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starN = n;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> Redaction::split(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(kSeparator, start);
    if (end == std::string_view::npos) end = list.size();
    if (end > start) out.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool Redaction::matches(std::string_view name) const {
  for (const std::string& pattern : patterns_) {
    if (globMatch(pattern, name)) return true;
  }
  return false;
}

std::string Redaction::joined() const {
  std::string out;
  for (const std::string& pattern : patterns_) {
    if (!out.empty()) out.push_back(kSeparator);
    out += pattern;
  }
  return out;
}

std::string Redaction::argument(const std::string& arg) const {
  if (arg.rfind("-D", 0) != 0) return arg;
  size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == arg.size() - 1) return arg;  // no value: nothing to hide
  if (!matches(std::string_view(arg).substr(2, eq - 2))) return arg;
  return arg.substr(0, eq + 1) + kPlaceholder;
}

std::vector<std::string> Redaction::commandLine(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = argv;
  for (size_t i = 1; i < out.size(); ++i) {
    const std::string& arg = out[i];
    if (arg.empty() || arg[0] != '-') break;  // the main class or source file: the program's from here
    if (arg == "-jar" || arg == "-m" || arg == "--module" || arg.rfind("--module=", 0) == 0) break;
    if (takesValue(arg)) {
      ++i;
      continue;
    }
    out[i] = argument(arg);
  }
  return out;
}

std::string Redaction::optionList(const std::string& value) const {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    if (std::isspace(static_cast<unsigned char>(value[i]))) {
      out.push_back(value[i++]);
      continue;
    }
    // One token; quotes group (JDK_JAVA_OPTIONS and, since JDK 22, JAVA_TOOL_OPTIONS allow them).
    size_t start = i;
    char quote = 0;
    while (i < value.size() && (quote != 0 || !std::isspace(static_cast<unsigned char>(value[i])))) {
      if (quote == 0 && (value[i] == '"' || value[i] == '\'')) {
        quote = value[i];
      } else if (quote != 0 && value[i] == quote) {
        quote = 0;
      }
      ++i;
    }
    std::string token = value.substr(start, i - start);
    std::string bare = token;
    bool quoted = false;
    if (bare.size() >= 2 && (bare[0] == '"' || bare[0] == '\'')) {
      // "-Dname=value" as one quoted token
      if (bare.back() == bare[0]) {
        bare = bare.substr(1, bare.size() - 2);
        quoted = true;
      }
    }
    std::string redacted = argument(bare);
    if (redacted != bare) {
      out += quoted ? std::string(1, token[0]) + redacted + token[0] : redacted;
    } else if (size_t eq = token.find('='); token.rfind("-D", 0) == 0 && eq != std::string::npos &&
                                            matches(std::string_view(token).substr(2, eq - 2))) {
      out += token.substr(0, eq + 1) + kPlaceholder;  // -Dname="a quoted value"
    } else {
      out += token;
    }
  }
  return out;
}

bool Redaction::holdsJvmOptions(std::string_view name) {
  return endsWithIgnoringCase(name, "OPTIONS") || endsWithIgnoringCase(name, "OPTS");
}

std::string Redaction::environmentEntry(const std::string& entry, bool& changed) const {
  changed = false;
  size_t eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) return entry;
  std::string_view name(entry.data(), eq);
  std::string value = entry.substr(eq + 1);
  std::string now = value;
  if (!value.empty() && matches(name)) {
    now = kPlaceholder;
  } else if (holdsJvmOptions(name)) {
    now = optionList(value);
  }
  if (now == value) return entry;
  changed = true;
  return entry.substr(0, eq + 1) + now;
}

int Redaction::applyToEnvironment() const {
  if (empty()) return 0;
  // Collected first: setenv may move environ while it is walked.
  std::vector<std::pair<std::string, std::string>> changes;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    bool changed = false;
    std::string entry = environmentEntry(*e, changed);
    if (!changed) continue;
    size_t eq = entry.find('=');
    changes.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  for (const auto& [name, value] : changes) setenv(name.c_str(), value.c_str(), 1);
  return static_cast<int>(changes.size());
}

int Redaction::applyToProperties(jvmtiEnv* jvmti, std::vector<std::string>& refused) const {
  if (empty() || jvmti == nullptr) return 0;
  jint count = 0;
  char** keys = nullptr;
  if (jvmti->GetSystemProperties(&count, &keys) != JVMTI_ERROR_NONE) return 0;
  int set = 0;
  for (jint i = 0; i < count; ++i) {
    if (matches(keys[i])) {
      char* value = nullptr;
      bool hasValue = jvmti->GetSystemProperty(keys[i], &value) == JVMTI_ERROR_NONE && value != nullptr;
      bool nonEmpty = hasValue && *value != '\0' && std::strcmp(value, kPlaceholder) != 0;
      if (hasValue) jvmti->Deallocate(reinterpret_cast<unsigned char*>(value));
      if (nonEmpty) {
        if (jvmti->SetSystemProperty(keys[i], kPlaceholder) == JVMTI_ERROR_NONE) {
          ++set;
        } else {
          refused.emplace_back(keys[i]);
        }
      }
    }
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(keys[i]));
  }
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(keys));
  return set;
}

}  // namespace retrace::agent
