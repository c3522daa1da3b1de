#include "trust.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <set>

#include "replay_command.h"
#include "retrace/tape/frame.h"

namespace retrace::launcher {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Options of the java launcher that take the next argument as their value.
const char* const kOptionsWithValue[] = {"-cp",
                                         "-classpath",
                                         "--class-path",
                                         "-p",
                                         "--module-path",
                                         "--upgrade-module-path",
                                         "--add-modules",
                                         "--add-exports",
                                         "--add-opens",
                                         "--add-reads",
                                         "--limit-modules",
                                         "--patch-module",
                                         "--enable-native-access",
                                         "--source"};
// Options after which the rest is the program's: the main class follows, or is named by them.
const char* const kOptionsEndingOptions[] = {"-jar", "-m", "--module"};

bool takesValue(const std::string& option) {
  return std::any_of(std::begin(kOptionsWithValue), std::end(kOptionsWithValue),
                     [&](const char* o) { return option == o; });
}

// Long options whose value may be given as --name=value too; all of them are safe to replay.
const char* const kSafeLongOptions[] = {"--class-path",
                                        "--module-path",
                                        "--add-modules",
                                        "--add-exports",
                                        "--add-opens",
                                        "--add-reads",
                                        "--limit-modules",
                                        "--enable-native-access",
                                        "--source",
                                        "--enable-preview",
                                        "--illegal-native-access",
                                        "--show-version",
                                        "--show-module-resolution",
                                        "--disable-@files",
                                        "--validate-modules"};

// -XX flags that change sizes, collectors, the compilers and diagnostics printed to stdout, and
// nothing else: none of them runs a command, loads code or writes a file.
const char* const kSafeXXFlags[] = {"ActiveProcessorCount",
                                    "AlwaysPreTouch",
                                    "AutoBoxCacheMax",
                                    "BackgroundCompilation",
                                    "BytecodeVerificationLocal",
                                    "BytecodeVerificationRemote",
                                    "CICompilerCount",
                                    "CompressedClassSpaceSize",
                                    "ConcGCThreads",
                                    "DisableAttachMechanism",
                                    "DisableExplicitGC",
                                    "EnableDynamicAgentLoading",
                                    "ExitOnOutOfMemoryError",
                                    "ExplicitGCInvokesConcurrent",
                                    "FreqInlineSize",
                                    "G1HeapRegionSize",
                                    "G1ReservePercent",
                                    "GCTimeRatio",
                                    "InitialCodeCacheSize",
                                    "InitialHeapSize",
                                    "InitialRAMPercentage",
                                    "InitiatingHeapOccupancyPercent",
                                    "InlineSmallCode",
                                    "MaxDirectMemorySize",
                                    "MaxGCPauseMillis",
                                    "MaxHeapFreeRatio",
                                    "MaxHeapSize",
                                    "MaxInlineLevel",
                                    "MaxInlineSize",
                                    "MaxJavaStackTraceDepth",
                                    "MaxMetaspaceSize",
                                    "MaxNewSize",
                                    "MaxRAM",
                                    "MaxRAMPercentage",
                                    "MaxTenuringThreshold",
                                    "MetaspaceSize",
                                    "MinHeapFreeRatio",
                                    "MinHeapSize",
                                    "MinRAMPercentage",
                                    "NativeMemoryTracking",
                                    "NewRatio",
                                    "NewSize",
                                    "OmitStackTraceInFastThrow",
                                    "ParallelGCThreads",
                                    "ParallelRefProcEnabled",
                                    "PerfDisableSharedMem",
                                    "PrintCommandLineFlags",
                                    "PrintFlagsFinal",
                                    "ReservedCodeCacheSize",
                                    "SegmentedCodeCache",
                                    "ShowCodeDetailsInExceptionMessages",
                                    "SoftRefLRUPolicyMSPerMB",
                                    "StackTraceInThrowable",
                                    "StringTableSize",
                                    "SurvivorRatio",
                                    "ThreadStackSize",
                                    "TieredCompilation",
                                    "TieredStopAtLevel",
                                    "UseAdaptiveSizePolicy",
                                    "UseBiasedLocking",
                                    "UseCodeCacheFlushing",
                                    "UseCompactObjectHeaders",
                                    "UseCompressedClassPointers",
                                    "UseCompressedOops",
                                    "UseContainerSupport",
                                    "UseCountedLoopSafepoints",
                                    "UseG1GC",
                                    "UseLargePages",
                                    "UseNUMA",
                                    "UseParallelGC",
                                    "UsePerfData",
                                    "UseSerialGC",
                                    "UseShenandoahGC",
                                    "UseStringDeduplication",
                                    "UseTransparentHugePages",
                                    "UseZGC",
                                    "ZGenerational"};

bool isSafeXXFlag(const std::string& flag) {
  // +Name, -Name or Name=value
  std::string name = flag;
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) name = name.substr(1);
  name = name.substr(0, name.find('='));
  return std::any_of(std::begin(kSafeXXFlags), std::end(kSafeXXFlags), [&](const char* f) { return name == f; });
}

// -Xlog[:what[:output[:decorators[:options]]]]: safe while it writes to stdout or stderr only.
bool isSafeXlog(const std::string& option) {
  if (option == "-Xlog" || option == "-Xlog:disable") return true;
  if (!startsWith(option, "-Xlog:")) return false;
  std::string rest = option.substr(6);
  size_t colon = rest.find(':');
  if (colon == std::string::npos) return true;
  std::string output = rest.substr(colon + 1);
  output = output.substr(0, output.find(':'));
  return output.empty() || output == "stdout" || output == "stderr";
}

// -X options that size or select the JVM's parts.
bool isSafeXOption(const std::string& option) {
  for (const char* prefix : {"-Xmx", "-Xms", "-Xss", "-Xmn"}) {
    if (startsWith(option, prefix)) return true;
  }
  for (const char* exact : {"-Xint", "-Xmixed", "-Xcomp", "-Xbatch", "-Xrs", "-Xnoclassgc", "-Xshare:off",
                            "-Xshare:auto", "-Xshare:on", "-Xcheck:jni", "-Xdiag", "-Xfuture", "-Xverify:none",
                            "-Xverify:remote", "-Xverify:all", "-XshowSettings", "-Xinternalversion"}) {
    if (option == exact) return true;
  }
  return startsWith(option, "-XshowSettings:") || isSafeXlog(option);
}

// System properties the JVM's native side acts on: where libraries are loaded from.
bool isUnsafeProperty(const std::string& name) {
  return name == "java.library.path" || name == "sun.boot.library.path" || name == "jdk.internal.vm.ci.enabled";
}

std::string absoluteIn(const std::string& cwd, const std::string& path) {
  return normalizePath(!path.empty() && path[0] == '/' ? path : cwd + "/" + path);
}

bool isChecked(const std::string& path, const std::vector<std::string>& checkedCode) {
  return std::find(checkedCode.begin(), checkedCode.end(), path) != checkedCode.end();
}

std::string why(const std::string& option) {
  if (startsWith(option, "-XX:")) {
    return "a JVM flag not known to be safe to replay (it may run a command, load code, or write files)";
  }
  if (startsWith(option, "-agentlib:jdwp")) return "a debugger agent (use retrace replay --debug instead)";
  if (startsWith(option, "-agentpath:") || startsWith(option, "-agentlib:")) {
    return "a native agent the recording does not carry checksums of";
  }
  if (startsWith(option, "-javaagent:")) return "a Java agent whose jar the recording does not carry checksums of";
  if (startsWith(option, "-Xbootclasspath")) return "boot class path entries the recording does not carry checksums of";
  if (startsWith(option, "@")) return "an argument file, read when the JVM starts and not part of the recording";
  if (startsWith(option, "-Xlog")) return "a log written to a file";
  if (startsWith(option, "-D")) return "a property that tells the JVM where to load native libraries from";
  return "an option not known to be safe to replay";
}

std::vector<std::string> splitOptionWords(const std::string& text) {
  // As HotSpot splits the variables: white space separates, quotes group.
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == text.size()) break;
    std::string word;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      char c = text[i];
      if (c == '\'' || c == '"') {
        size_t close = text.find(c, i + 1);
        if (close == std::string::npos) close = text.size();
        word.append(text, i + 1, close - i - 1);
        i = std::min(close + 1, text.size());
      } else {
        word.push_back(c);
        ++i;
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool checksumFile(const std::string& path, uint32_t& crc, uint64_t& size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);  // a FIFO must not block
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok && st.st_size > 0) {
    void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ok = map != MAP_FAILED;
    if (ok) {
      crc = tape::crc32c(0, map, static_cast<size_t>(st.st_size));
      munmap(map, static_cast<size_t>(st.st_size));
    }
  } else if (ok) {
    crc = 0;
  }
  if (ok) size = static_cast<uint64_t>(st.st_size);
  ::close(fd);
  return ok;
}

std::string realPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : std::string();
}

const std::string* findVariable(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env) {
    if (entry.size() > name.size() && entry[name.size()] == '=' && startsWith(entry, name)) return &entry;
  }
  return nullptr;
}

void addSubdirectories(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) out.push_back(dir + "/" + name);
}

}  // namespace

std::vector<std::string> jvmOptionsOf(const std::vector<std::string>& argv) {
  std::vector<std::string> options;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.empty() || arg[0] != '-') {
      if (!arg.empty() && arg[0] == '@') {
        options.push_back(arg);  // an argument file of the java launcher
        continue;
      }
      break;  // the main class or a source file: the rest is the program's
    }
    options.push_back(arg);
    if (std::any_of(std::begin(kOptionsEndingOptions), std::end(kOptionsEndingOptions),
                    [&](const char* o) { return arg == o; }) ||
        startsWith(arg, "--module=")) {
      break;
    }
    if (takesValue(arg) && i + 1 < argv.size()) options.push_back(argv[++i]);
  }
  return options;
}

std::optional<Refusal> firstUnsafeOption(const std::vector<std::string>& options, const std::string& where,
                                         const std::vector<std::string>& checkedCode, bool retraceAgentReplaced) {
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string& o = options[i];
    auto refuse = [&]() { return Refusal{o, where, why(o)}; };
    if (takesValue(o)) {
      if (o == "--patch-module" || o == "--upgrade-module-path") return refuse();
      ++i;  // its value: paths and module names (the code is checked by the agent)
      continue;
    }
    if (o == "-jar" || o == "-m" || o == "--module" || startsWith(o, "--module=")) continue;
    // The launcher replaces Retrace's agent on the command line and drops it from
    // JAVA_TOOL_OPTIONS; anywhere else a library named libretrace.so is just a library.
    if (isRetraceAgentArgument(o) && retraceAgentReplaced) continue;
    if (startsWith(o, "-D")) {
      std::string name = o.substr(2, o.find('=') == std::string::npos ? std::string::npos : o.find('=') - 2);
      if (isUnsafeProperty(name)) return refuse();
      continue;
    }
    if (startsWith(o, "-XX:")) {
      if (!isSafeXXFlag(o.substr(4))) return refuse();
      continue;
    }
    if (startsWith(o, "-javaagent:")) {
      std::string jar = o.substr(11);
      jar = jar.substr(0, jar.find('='));
      if (!isChecked(jar, checkedCode)) return refuse();
      continue;
    }
    if (startsWith(o, "-Xbootclasspath/a:")) {
      std::string paths = o.substr(18);
      size_t start = 0;
      while (start <= paths.size()) {
        size_t colon = paths.find(':', start);
        if (colon == std::string::npos) colon = paths.size();
        if (!isChecked(paths.substr(start, colon - start), checkedCode)) return refuse();
        start = colon + 1;
      }
      continue;
    }
    if (startsWith(o, "-X")) {
      if (!isSafeXOption(o)) return refuse();
      continue;
    }
    if (startsWith(o, "--")) {
      std::string name = o.substr(0, o.find('='));
      if (std::none_of(std::begin(kSafeLongOptions), std::end(kSafeLongOptions),
                       [&](const char* s) { return name == s; })) {
        return refuse();
      }
      continue;
    }
    static const char* const kSafeShort[] = {"-ea",
                                             "-da",
                                             "-esa",
                                             "-dsa",
                                             "-server",
                                             "-client",
                                             "-showversion",
                                             "-version",
                                             "-enableassertions",
                                             "-disableassertions",
                                             "-enablesystemassertions",
                                             "-disablesystemassertions",
                                             "-verbose"};
    std::string base = o.substr(0, o.find(':'));
    if (std::any_of(std::begin(kSafeShort), std::end(kSafeShort), [&](const char* s) { return base == s; })) continue;
    return refuse();  // -agentlib, -agentpath, -splash:, @argfiles and anything unknown
  }
  return std::nullopt;
}

std::optional<Refusal> checkRecordedOptions(const tape::ProcessStartInfo& start) {
  std::vector<std::string> checked;
  for (const tape::CodeEntry& code : start.code) {
    if (code.role == tape::CodeRole::kJavaHome || code.size == tape::CodeEntry::kMissing) continue;
    checked.push_back(absoluteIn(start.cwd, code.path));
  }
  std::vector<std::string> absolute;
  for (const std::string& option : jvmOptionsOf(start.argv)) absolute.push_back(option);
  // -javaagent and -Xbootclasspath/a paths are compared absolute: resolve them as the JVM would.
  for (std::string& option : absolute) {
    if (startsWith(option, "-javaagent:")) {
      std::string rest = option.substr(11);
      size_t eq = rest.find('=');
      option =
          "-javaagent:" + absoluteIn(start.cwd, rest.substr(0, eq)) + (eq == std::string::npos ? "" : rest.substr(eq));
    }
  }
  if (auto refusal = firstUnsafeOption(absolute, "the recorded command line", checked, true)) return refusal;
  for (const char* variable : {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}) {
    const std::string* entry = findVariable(start.env, variable);
    if (entry == nullptr) continue;
    std::vector<std::string> words = splitOptionWords(entry->substr(std::strlen(variable) + 1));
    for (std::string& word : words) {
      if (startsWith(word, "-javaagent:")) word = "-javaagent:" + absoluteIn(start.cwd, word.substr(11));
    }
    bool replaced = std::strcmp(variable, "JAVA_TOOL_OPTIONS") == 0;
    if (auto refusal = firstUnsafeOption(words, std::string("the recorded ") + variable, checked, replaced)) {
      return refusal;
    }
  }
  return std::nullopt;
}

std::string refusalMessage(const Refusal& refusal) {
  return "refusing to replay: " + refusal.where + " has " + refusal.option + ", " + refusal.why +
         "; replay it only if you trust who made the recording, with --trust (docs/security-model.md)";
}

std::vector<std::string> jdkCandidates(const std::string& explicitHome, const std::vector<std::string>& environment) {
  std::vector<std::string> candidates;
  if (!explicitHome.empty()) {
    candidates.push_back(explicitHome);
  } else {
    auto value = [&](const char* name) -> std::string {
      const std::string* entry = findVariable(environment, name);
      return entry != nullptr ? entry->substr(std::strlen(name) + 1) : "";
    };
    std::string list = value("RETRACE_JDKS");
    size_t start = 0;
    while (!list.empty() && start <= list.size()) {
      size_t colon = list.find(':', start);
      if (colon == std::string::npos) colon = list.size();
      if (colon > start) candidates.push_back(list.substr(start, colon - start));
      start = colon + 1;
    }
    if (!value("JAVA_HOME").empty()) candidates.push_back(value("JAVA_HOME"));
    std::string home = value("HOME");
    for (const std::string& dir :
         {std::string("/usr/lib/jvm"), std::string("/usr/local/lib/jvm"), std::string("/opt/java"),
          home.empty() ? "" : home + "/.sdkman/candidates/java", home.empty() ? "" : home + "/.jdks"}) {
      if (!dir.empty()) addSubdirectories(dir, candidates);
    }
    std::string path = value("PATH");
    start = 0;
    while (!path.empty() && start <= path.size()) {
      size_t colon = path.find(':', start);
      if (colon == std::string::npos) colon = path.size();
      std::string java = realPath(path.substr(start, colon - start) + "/java");
      if (!java.empty()) {
        candidates.push_back(java.substr(0, java.rfind("/bin/java")));
        break;
      }
      start = colon + 1;
    }
  }
  // A JDK reached under two names is looked at once; a home given as .../bin/java is its home.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (std::string candidate : candidates) {
    if (candidate.size() > 9 && candidate.compare(candidate.size() - 9, 9, "/bin/java") == 0) {
      candidate.resize(candidate.size() - 9);
    }
    std::string real = realPath(candidate);
    if (real.empty() || !seen.insert(real).second) continue;
    unique.push_back(candidate);
  }
  return unique;
}

std::string findRecordedJdk(const tape::ProcessStartInfo& start, const std::vector<std::string>& candidates,
                            std::string& why) {
  // The recorded JDK files, as paths relative to the recorded java.home.
  std::vector<std::pair<std::string, const tape::CodeEntry*>> files;
  std::string prefix = start.javaHome + "/";
  for (const tape::CodeEntry& code : start.code) {
    if (code.role == tape::CodeRole::kJavaHome && startsWith(code.path, prefix)) {
      files.emplace_back(code.path.substr(prefix.size()), &code);
    }
  }
  if (files.empty()) {
    why = "the recording names no checksums of its JDK's files";
    return "";
  }
  for (const std::string& home : candidates) {
    bool matches = true;
    // Sizes first: a JDK of another build is told apart without reading libjvm.so.
    for (const auto& [relative, code] : files) {
      struct stat st;
      if (stat((home + "/" + relative).c_str(), &st) != 0 || static_cast<uint64_t>(st.st_size) != code->size) {
        matches = false;
        break;
      }
    }
    for (size_t i = 0; matches && i < files.size(); ++i) {
      uint32_t crc = 0;
      uint64_t size = 0;
      matches = checksumFile(home + "/" + files[i].first, crc, size) && crc == files[i].second->crc32c &&
                size == files[i].second->size;
    }
    if (matches) return home;
  }
  why = "no JDK here is the recorded build (" + start.jvmVersion + "; looked at " +
        (candidates.empty() ? std::string("none") : std::to_string(candidates.size())) +
        "): give its home with --java DIR, or list JDK homes in RETRACE_JDKS";
  return "";
}

std::string featureRelease(const std::string& version) {
  // The version is the last word of "<VM name> <version>", or the whole of a bare one.
  size_t space = version.rfind(' ');
  std::string word = space == std::string::npos ? version : version.substr(space + 1);
  size_t digits = 0;
  while (digits < word.size() && std::isdigit(static_cast<unsigned char>(word[digits]))) ++digits;
  return digits > 0 && (digits == word.size() || word[digits] == '.' || word[digits] == '+' || word[digits] == '-')
             ? word.substr(0, digits)
             : "";
}

namespace {

/** KEY's value in a JDK's release file (KEY="value" lines), or empty. */
std::string releaseValue(const std::string& home, const std::string& key) {
  std::ifstream in(home + "/release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 2, key + "=\"") == 0 && line.size() > key.size() + 3 && line.back() == '"') {
      return line.substr(key.size() + 2, line.size() - key.size() - 3);
    }
  }
  return "";
}

}  // namespace

std::optional<OtherBuild> findOtherBuild(const tape::ProcessStartInfo& start,
                                         const std::vector<std::string>& candidates) {
  std::string feature = featureRelease(start.jvmVersion);
  if (feature.empty()) return std::nullopt;
  for (const std::string& home : candidates) {
    if (featureRelease(releaseValue(home, "JAVA_VERSION")) != feature ||
        access((home + "/bin/java").c_str(), X_OK) != 0) {
      continue;
    }
    std::string version = releaseValue(home, "JAVA_RUNTIME_VERSION");
    return OtherBuild{home, version.empty() ? releaseValue(home, "JAVA_VERSION") : version};
  }
  return std::nullopt;
}

bool isRecordingFile(const std::string& path, const std::string& recording) {
  struct stat a, b;
  if (stat(path.c_str(), &a) != 0) return false;
  if (stat(recording.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return true;
  if (!S_ISREG(a.st_mode)) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);  // a FIFO must not block
  if (fd < 0) return false;
  char head[512];
  ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  if (n < 4) return false;
  std::string start(head, static_cast<size_t>(n));
  uint32_t magic = 0;
  std::memcpy(&magic, head, sizeof magic);
  // A recording's shebang line names the launcher; an extracted .bin starts the same way.
  return magic == tape::kFrameMagic ||
         (startsWith(start, "#!") && start.substr(0, start.find('\n')).find("retrace-replay") != std::string::npos);
}

}  // namespace retrace::launcher
