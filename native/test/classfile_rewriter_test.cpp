// Tests for classfile_rewriter: hand-built class files (structure, malformed input), the real
// java/lang/System.class of the installed JDKs (javap), and end-to-end runs on real JVMs.
#include "classfile_rewriter.h"
#include "system_class_rewrite.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#ifndef RETRACE_TEST_CC
#define RETRACE_TEST_CC "cc"
#endif

namespace retrace::agent {
namespace {

// ---------------------------------------------------------------------------------------------
// Process / file helpers

struct CommandResult {
  int status = -1;  // exit status, or -1 if the command did not exit normally
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int raw = pclose(pipe);
  if (raw != -1 && WIFEXITED(raw)) result.status = WEXITSTATUS(raw);
  return result;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool readFile(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool writeFile(const std::string& path, const void* data, size_t size) {
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  if (!o) return false;
  o.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(o);
}

bool writeFile(const std::string& path, const std::string& text) {
  return writeFile(path, text.data(), text.size());
}

bool writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  return writeFile(path, bytes.data(), bytes.size());
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/retrace_cfr_test_XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty() && std::getenv("RETRACE_KEEP_TEST_DIRS") == nullptr) {
      run("rm -rf " + quote(path_));
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool hasLine(const std::string& text, const std::string& line) {
  for (const std::string& l : lines(text)) {
    if (l == line) return true;
  }
  return false;
}

bool containsBytes(const std::vector<uint8_t>& hay, const std::vector<uint8_t>& needle) {
  if (needle.empty() || needle.size() > hay.size()) return needle.empty();
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (std::memcmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// JDKs

struct Jdk {
  const char* label;
  const char* home;
};

void PrintTo(const Jdk& jdk, std::ostream* os) {
  *os << jdk.label;
}

const Jdk kJdk17{"Jdk17", "/usr/lib/jvm/java-17-openjdk-amd64"};
const Jdk kJdk25{"Jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"};

bool jdkPresent(const Jdk& jdk) {
  const std::string home = jdk.home;
  return exists(home + "/bin/java") && exists(home + "/bin/javac") && exists(home + "/bin/javap") &&
         exists(home + "/bin/jimage") && exists(home + "/lib/modules");
}

std::string bin(const Jdk& jdk, const char* tool) {
  return quote(std::string(jdk.home) + "/bin/" + tool);
}

// Extracts a java.base class (internal name: java/lang/System) from the JDK's runtime image.
bool extractJdkClass(const Jdk& jdk, const TempDir& dir, const std::string& name, std::vector<uint8_t>& bytes,
                     std::string& log) {
  const std::string target = dir / "jimage";
  const CommandResult r = run(bin(jdk, "jimage") + " extract --dir " + quote(target) + " --include 'regex:.*" + name +
                              "\\.class' " + quote(std::string(jdk.home) + "/lib/modules"));
  log = r.output;
  return r.status == 0 && readFile(target + "/java.base/" + name + ".class", bytes);
}

bool extractSystemClass(const Jdk& jdk, const TempDir& dir, std::vector<uint8_t>& bytes, std::string& log) {
  return extractJdkClass(jdk, dir, "java/lang/System", bytes, log);
}

const std::vector<NativeWrap> kClockMethods = {
    {"nanoTime", "()J"},
    {"currentTimeMillis", "()J"},
};

// ---------------------------------------------------------------------------------------------
// A tiny class file builder for hand-made inputs, and an independent reader for outputs.

void put1(std::vector<uint8_t>& v, unsigned x) {
  v.push_back(static_cast<uint8_t>(x));
}
void put2(std::vector<uint8_t>& v, unsigned x) {
  put1(v, (x >> 8) & 0xFF);
  put1(v, x & 0xFF);
}
void put4(std::vector<uint8_t>& v, uint32_t x) {
  put2(v, x >> 16);
  put2(v, x & 0xFFFF);
}
void putBytes(std::vector<uint8_t>& v, const std::vector<uint8_t>& b) {
  v.insert(v.end(), b.begin(), b.end());
}

class ClassBuilder {
 public:
  uint16_t utf8(const std::string& s) {
    put1(cp_, 1);
    put2(cp_, static_cast<unsigned>(s.size()));
    cp_.insert(cp_.end(), s.begin(), s.end());
    return next(1);
  }
  uint16_t classRef(const std::string& name) {
    const uint16_t n = utf8(name);
    put1(cp_, 7);
    put2(cp_, n);
    return next(1);
  }
  uint16_t nameAndType(const std::string& name, const std::string& desc) {
    const uint16_t n = utf8(name), d = utf8(desc);
    put1(cp_, 12);
    put2(cp_, n);
    put2(cp_, d);
    return next(1);
  }
  uint16_t ref(uint8_t tag, uint16_t cls, uint16_t nat) {
    put1(cp_, tag);
    put2(cp_, cls);
    put2(cp_, nat);
    return next(1);
  }
  // Any constant given as tag + raw payload; `slots` is 2 for Long/Double.
  uint16_t raw(uint8_t tag, const std::vector<uint8_t>& payload, int slots = 1) {
    put1(cp_, tag);
    putBytes(cp_, payload);
    return next(slots);
  }
  uint16_t count() const { return count_; }

  static std::vector<uint8_t> attribute(uint16_t nameIndex, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> a;
    put2(a, nameIndex);
    put4(a, static_cast<uint32_t>(body.size()));
    putBytes(a, body);
    return a;
  }
  void field(uint16_t flags, uint16_t name, uint16_t desc, const std::vector<std::vector<uint8_t>>& attrs) {
    member(fields_, fieldCount_, flags, name, desc, attrs);
  }
  void method(uint16_t flags, uint16_t name, uint16_t desc, const std::vector<std::vector<uint8_t>>& attrs) {
    member(methods_, methodCount_, flags, name, desc, attrs);
  }
  void classAttribute(const std::vector<uint8_t>& a) { classAttrs_.push_back(a); }

  std::vector<uint8_t> build(uint16_t major, uint16_t accessFlags, uint16_t thisClass, uint16_t superClass,
                             const std::vector<uint16_t>& interfaces = {}) const {
    std::vector<uint8_t> v;
    put4(v, 0xCAFEBABEu);
    put2(v, 0);
    put2(v, major);
    put2(v, count_);
    putBytes(v, cp_);
    put2(v, accessFlags);
    put2(v, thisClass);
    put2(v, superClass);
    put2(v, static_cast<unsigned>(interfaces.size()));
    for (uint16_t i : interfaces) put2(v, i);
    put2(v, fieldCount_);
    putBytes(v, fields_);
    put2(v, methodCount_);
    putBytes(v, methods_);
    put2(v, static_cast<unsigned>(classAttrs_.size()));
    for (const auto& a : classAttrs_) putBytes(v, a);
    return v;
  }

 private:
  uint16_t next(int slots) {
    const uint16_t index = count_;
    count_ = static_cast<uint16_t>(count_ + slots);
    return index;
  }
  static void member(std::vector<uint8_t>& out, uint16_t& count, uint16_t flags, uint16_t name, uint16_t desc,
                     const std::vector<std::vector<uint8_t>>& attrs) {
    put2(out, flags);
    put2(out, name);
    put2(out, desc);
    put2(out, static_cast<unsigned>(attrs.size()));
    for (const auto& a : attrs) putBytes(out, a);
    ++count;
  }

  std::vector<uint8_t> cp_;
  uint16_t count_ = 1;
  std::vector<uint8_t> fields_, methods_;
  uint16_t fieldCount_ = 0, methodCount_ = 0;
  std::vector<std::vector<uint8_t>> classAttrs_;
};

// Independent, assertion-style reader of (well-formed) class files produced by the rewriter.
struct ReadAttribute {
  std::string name;
  std::vector<uint8_t> body;
};
struct ReadMethod {
  uint16_t flags = 0;
  std::string name, descriptor;
  std::vector<ReadAttribute> attributes;
  const ReadAttribute* attribute(const std::string& n) const {
    for (const auto& a : attributes) {
      if (a.name == n) return &a;
    }
    return nullptr;
  }
};
struct ReadClass {
  bool ok = false;
  uint16_t cpCount = 0;
  std::vector<std::vector<uint8_t>> cp;  // tag byte followed by payload; empty for unusable slots
  std::vector<ReadMethod> methods;
  size_t fieldCount = 0, classAttributeCount = 0;

  std::string utf8(uint16_t i) const {
    if (i >= cp.size() || cp[i].size() < 3 || cp[i][0] != 1) return "<bad utf8 #" + std::to_string(i) + ">";
    return std::string(cp[i].begin() + 3, cp[i].end());
  }
  const ReadMethod* method(const std::string& n, const std::string& d) const {
    for (const auto& m : methods) {
      if (m.name == n && m.descriptor == d) return &m;
    }
    return nullptr;
  }
};

ReadClass readClass(const std::vector<uint8_t>& b) {
  ReadClass rc;
  size_t p = 0;
  bool ok = true;
  auto need = [&](size_t n) {
    ok = ok && b.size() - p >= n && p <= b.size();
    return ok;
  };
  auto u1 = [&]() -> unsigned { return need(1) ? b[p++] : 0; };
  auto u2 = [&]() -> unsigned {
    unsigned hi = u1();
    return (hi << 8) | u1();
  };
  auto u4 = [&]() -> uint32_t {
    uint32_t hi = u2();
    return (hi << 16) | u2();
  };
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> v;
    if (need(n)) {
      v.assign(b.begin() + static_cast<std::ptrdiff_t>(p), b.begin() + static_cast<std::ptrdiff_t>(p + n));
      p += n;
    }
    return v;
  };
  if (u4() != 0xCAFEBABEu) return rc;
  u2();
  u2();
  rc.cpCount = static_cast<uint16_t>(u2());
  rc.cp.resize(rc.cpCount);
  for (unsigned i = 1; ok && i < rc.cpCount; ++i) {
    const unsigned tag = u1();
    std::vector<uint8_t> e{static_cast<uint8_t>(tag)};
    size_t len = 0;
    switch (tag) {
      case 1: {
        const unsigned n = u2();
        put2(e, n);
        len = n;
        break;
      }
      case 3:
      case 4:
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        len = 4;
        break;
      case 5:
      case 6:
        len = 8;
        break;
      case 7:
      case 8:
      case 16:
      case 19:
      case 20:
        len = 2;
        break;
      case 15:
        len = 3;
        break;
      default:
        ok = false;
    }
    putBytes(e, bytes(len));
    rc.cp[i] = e;
    if (tag == 5 || tag == 6) ++i;
  }
  u2();
  u2();
  u2();
  const unsigned ifaces = u2();
  bytes(2 * ifaces);
  auto readAttributes = [&](std::vector<ReadAttribute>* out) {
    const unsigned n = u2();
    for (unsigned i = 0; ok && i < n; ++i) {
      ReadAttribute a;
      a.name = rc.utf8(static_cast<uint16_t>(u2()));
      a.body = bytes(u4());
      if (out) out->push_back(a);
    }
  };
  rc.fieldCount = u2();
  for (size_t i = 0; ok && i < rc.fieldCount; ++i) {
    bytes(6);
    readAttributes(nullptr);
  }
  const unsigned methods = u2();
  for (unsigned i = 0; ok && i < methods; ++i) {
    ReadMethod m;
    m.flags = static_cast<uint16_t>(u2());
    m.name = rc.utf8(static_cast<uint16_t>(u2()));
    m.descriptor = rc.utf8(static_cast<uint16_t>(u2()));
    readAttributes(&m.attributes);
    rc.methods.push_back(m);
  }
  std::vector<ReadAttribute> classAttrs;
  readAttributes(&classAttrs);
  rc.classAttributeCount = classAttrs.size();
  rc.ok = ok && p == b.size();
  return rc;
}

// A small but feature-rich class: every constant pool tag, fields with attributes, annotated
// native methods (one with @IntrinsicCandidate next to another annotation), a Code method and
// class attributes.
struct SampleClass {
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> annotationWithNestedValues(uint16_t typeIndex, uint16_t elemName, uint16_t intConst,
                                                uint16_t enumType, uint16_t enumConst, uint16_t nestedType) {
  // @Type(v = {1, Enum.X, @Nested})
  std::vector<uint8_t> a;
  put2(a, typeIndex);
  put2(a, 1);
  put2(a, elemName);
  put1(a, '[');
  put2(a, 3);
  put1(a, 'I');
  put2(a, intConst);
  put1(a, 'e');
  put2(a, enumType);
  put2(a, enumConst);
  put1(a, '@');
  put2(a, nestedType);
  put2(a, 0);
  return a;
}

std::vector<uint8_t> buildSampleClass(uint16_t major = 61) {
  ClassBuilder cb;
  const uint16_t thisClass = cb.classRef("Sample");
  const uint16_t superClass = cb.classRef("java/lang/Object");
  const uint16_t intConst = cb.raw(3, {0, 0, 0, 42});
  cb.raw(4, {0x3f, 0x80, 0, 0});              // Float 1.0
  cb.raw(5, {0, 0, 0, 0, 0, 0, 0, 7}, 2);     // Long
  cb.raw(6, {0x40, 0, 0, 0, 0, 0, 0, 0}, 2);  // Double
  const uint16_t str = cb.utf8("hello");
  cb.raw(8, {static_cast<uint8_t>(str >> 8), static_cast<uint8_t>(str)});  // String
  const uint16_t fieldNat = cb.nameAndType("f", "I");
  const uint16_t fieldRef = cb.ref(9, thisClass, fieldNat);
  const uint16_t iface = cb.classRef("java/lang/Runnable");
  cb.ref(11, iface, cb.nameAndType("run", "()V"));
  const uint16_t mt = cb.utf8("()V");
  cb.raw(15, {6, static_cast<uint8_t>(fieldRef >> 8), static_cast<uint8_t>(fieldRef)});  // MethodHandle
  cb.raw(16, {static_cast<uint8_t>(mt >> 8), static_cast<uint8_t>(mt)});                 // MethodType
  const uint16_t natIndy = cb.nameAndType("dyn", "()V");
  cb.raw(17, {0, 0, static_cast<uint8_t>(natIndy >> 8), static_cast<uint8_t>(natIndy)});  // Dynamic
  cb.raw(18, {0, 0, static_cast<uint8_t>(natIndy >> 8), static_cast<uint8_t>(natIndy)});  // InvokeDynamic
  const uint16_t modName = cb.utf8("some.module");
  cb.raw(19, {static_cast<uint8_t>(modName >> 8), static_cast<uint8_t>(modName)});  // Module
  const uint16_t pkgName = cb.utf8("some/pkg");
  cb.raw(20, {static_cast<uint8_t>(pkgName >> 8), static_cast<uint8_t>(pkgName)});  // Package

  const uint16_t code = cb.utf8("Code");
  const uint16_t constantValue = cb.utf8("ConstantValue");
  const uint16_t rva = cb.utf8("RuntimeVisibleAnnotations");
  const uint16_t exceptions = cb.utf8("Exceptions");
  const uint16_t signature = cb.utf8("Signature");
  const uint16_t sourceFile = cb.utf8("SourceFile");
  const uint16_t intrinsic = cb.utf8("Ljdk/internal/vm/annotation/IntrinsicCandidate;");
  const uint16_t other = cb.utf8("Lcom/example/Other;");
  const uint16_t nested = cb.utf8("Lcom/example/Nested;");
  const uint16_t enumType = cb.utf8("Lcom/example/E;");
  const uint16_t enumConst = cb.utf8("X");
  const uint16_t elemName = cb.utf8("v");
  const uint16_t ioException = cb.classRef("java/io/IOException");
  const uint16_t sigValue = cb.utf8("<T:Ljava/lang/Object;>(ITT;)TT;");

  // Field: static final int f = 42;
  {
    std::vector<uint8_t> cv;
    put2(cv, intConst);
    cb.field(0x0018, cb.utf8("f"), cb.utf8("I"), {ClassBuilder::attribute(constantValue, cv)});
  }
  // <init> with Code.
  {
    std::vector<uint8_t> body;
    put2(body, 1);  // max_stack
    put2(body, 1);  // max_locals
    put4(body, 5);
    const uint16_t objInit = cb.ref(10, superClass, cb.nameAndType("<init>", "()V"));
    putBytes(body, {0x2a, 0xb7, static_cast<uint8_t>(objInit >> 8), static_cast<uint8_t>(objInit), 0xb1});
    put2(body, 0);
    put2(body, 0);
    cb.method(0x0001, cb.utf8("<init>"), cb.utf8("()V"), {ClassBuilder::attribute(code, body)});
  }
  // @IntrinsicCandidate public static native long now();
  {
    std::vector<uint8_t> ann;
    put2(ann, 1);
    put2(ann, intrinsic);
    put2(ann, 0);
    cb.method(0x0109, cb.utf8("now"), cb.utf8("()J"), {ClassBuilder::attribute(rva, ann)});
  }
  // @Other(v = {42, E.X, @Nested}) @IntrinsicCandidate
  // protected native <T> T add(int a, long b, double c, Object o) throws IOException;  (generic
  // signature attached only to check it is carried over)
  {
    std::vector<uint8_t> ann;
    put2(ann, 2);
    putBytes(ann, annotationWithNestedValues(other, elemName, intConst, enumType, enumConst, nested));
    put2(ann, intrinsic);
    put2(ann, 0);
    std::vector<uint8_t> exc;
    put2(exc, 1);
    put2(exc, ioException);
    std::vector<uint8_t> sig;
    put2(sig, sigValue);
    cb.method(0x0104, cb.utf8("add"), cb.utf8("(IJDLjava/lang/Object;)I"),
              {ClassBuilder::attribute(rva, ann), ClassBuilder::attribute(exceptions, exc),
               ClassBuilder::attribute(signature, sig)});
  }
  // private native void plain(float f);  -- not listed by default
  cb.method(0x0102, cb.utf8("plain"), cb.utf8("(F)V"), {});
  // public static int notNative();  (abstract-like, no Code: never loaded, only parsed)
  cb.method(0x0009, cb.utf8("notNative"), cb.utf8("()I"), {});
  {
    std::vector<uint8_t> sf;
    put2(sf, cb.utf8("Sample.java"));
    cb.classAttribute(ClassBuilder::attribute(sourceFile, sf));
  }
  return cb.build(major, 0x0021, thisClass, superClass, {iface});
}

const std::vector<NativeWrap> kSampleMethods = {
    {"now", "()J"},
    {"add", "(IJDLjava/lang/Object;)I"},
};

// ---------------------------------------------------------------------------------------------
// Hand-built class files

TEST(ClassfileRewriterTest, RewritesSampleClassStructure) {
  const std::vector<uint8_t> in = buildSampleClass();
  ASSERT_TRUE(readClass(in).ok);
  std::vector<uint8_t> out;
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kSampleMethods, out, error)) << error;
  EXPECT_EQ(error, "");

  const ReadClass rc = readClass(out);
  ASSERT_TRUE(rc.ok);
  EXPECT_EQ(rc.fieldCount, 1u);
  EXPECT_EQ(rc.classAttributeCount, 1u);
  ASSERT_EQ(rc.methods.size(), 7u);  // 5 original + 2 wrappers

  // Renamed static native: flags unchanged, @IntrinsicCandidate gone (attribute dropped).
  const ReadMethod* rnow = rc.method("retrace$now", "()J");
  ASSERT_NE(rnow, nullptr);
  EXPECT_EQ(rnow->flags, 0x0109);
  EXPECT_TRUE(rnow->attributes.empty());

  // Renamed instance native: made private, keeps @Other (with nested values), Exceptions and
  // Signature, loses @IntrinsicCandidate.
  const ReadMethod* radd = rc.method("retrace$add", "(IJDLjava/lang/Object;)I");
  ASSERT_NE(radd, nullptr);
  EXPECT_EQ(radd->flags, 0x0102);  // ACC_PRIVATE | ACC_NATIVE (protected cleared)
  ASSERT_EQ(radd->attributes.size(), 3u);
  const ReadAttribute* ann = radd->attribute("RuntimeVisibleAnnotations");
  ASSERT_NE(ann, nullptr);
  ASSERT_GE(ann->body.size(), 4u);
  EXPECT_EQ(ann->body[0], 0);
  EXPECT_EQ(ann->body[1], 1);  // one annotation left
  EXPECT_EQ(rc.utf8(static_cast<uint16_t>((ann->body[2] << 8) | ann->body[3])), "Lcom/example/Other;");
  EXPECT_EQ(ann->body.size(), 2u + 2 + 2 + 2 + 1 + 2 + 3 + 5 + 5);
  EXPECT_NE(radd->attribute("Exceptions"), nullptr);
  EXPECT_NE(radd->attribute("Signature"), nullptr);

  // Wrappers: original names, flags minus ACC_NATIVE, Code (+ Exceptions/Signature for add).
  const ReadMethod* now = rc.method("now", "()J");
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->flags, 0x0009);
  ASSERT_EQ(now->attributes.size(), 1u);
  const ReadAttribute* nowCode = now->attribute("Code");
  ASSERT_NE(nowCode, nullptr);
  // max_stack 2 (long result), max_locals 0, code: invokestatic #x; lreturn.
  ASSERT_EQ(nowCode->body.size(), 12u + 4);
  EXPECT_EQ(std::vector<uint8_t>(nowCode->body.begin(), nowCode->body.begin() + 8),
            (std::vector<uint8_t>{0, 2, 0, 0, 0, 0, 0, 4}));
  EXPECT_EQ(nowCode->body[8], 0xb8);
  EXPECT_EQ(nowCode->body[11], 0xad);
  {
    // The invokestatic operand is a Methodref Sample.retrace$now:()J.
    const uint16_t ref = static_cast<uint16_t>((nowCode->body[9] << 8) | nowCode->body[10]);
    ASSERT_LT(ref, rc.cp.size());
    ASSERT_EQ(rc.cp[ref].size(), 5u);
    EXPECT_EQ(rc.cp[ref][0], 10);
    const uint16_t cls = static_cast<uint16_t>((rc.cp[ref][1] << 8) | rc.cp[ref][2]);
    const uint16_t nat = static_cast<uint16_t>((rc.cp[ref][3] << 8) | rc.cp[ref][4]);
    ASSERT_EQ(rc.cp[cls][0], 7);
    EXPECT_EQ(rc.utf8(static_cast<uint16_t>((rc.cp[cls][1] << 8) | rc.cp[cls][2])), "Sample");
    ASSERT_EQ(rc.cp[nat][0], 12);
    EXPECT_EQ(rc.utf8(static_cast<uint16_t>((rc.cp[nat][1] << 8) | rc.cp[nat][2])), "retrace$now");
    EXPECT_EQ(rc.utf8(static_cast<uint16_t>((rc.cp[nat][3] << 8) | rc.cp[nat][4])), "()J");
  }

  const ReadMethod* add = rc.method("add", "(IJDLjava/lang/Object;)I");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->flags, 0x0004);          // protected, not native
  EXPECT_EQ(add->attributes.size(), 3u);  // Code, Exceptions, Signature
  EXPECT_EQ(add->attribute("RuntimeVisibleAnnotations"), nullptr);
  const ReadAttribute* addCode = add->attribute("Code");
  ASSERT_NE(addCode, nullptr);
  // max_stack 7, max_locals 7: aload_0 iload_1 lload_2 dload 4 aload 6 invokespecial #x ireturn
  const std::vector<uint8_t> expectHead{0, 7, 0, 7, 0, 0, 0, 11, 0x2a, 0x1b, 0x20, 0x18, 4, 0x19, 6, 0xb7};
  ASSERT_EQ(addCode->body.size(), 12u + 11);
  EXPECT_EQ(std::vector<uint8_t>(addCode->body.begin(), addCode->body.begin() + 16), expectHead);
  EXPECT_EQ(addCode->body[18], 0xac);
  EXPECT_EQ(std::vector<uint8_t>(addCode->body.end() - 4, addCode->body.end()), (std::vector<uint8_t>{0, 0, 0, 0}));

  // Untouched methods stay byte-identical in order.
  EXPECT_EQ(rc.methods[0].name, "<init>");
  EXPECT_EQ(rc.methods[3].name, "plain");
  EXPECT_EQ(rc.methods[3].flags, 0x0102);
  EXPECT_EQ(rc.methods[4].name, "notNative");

  // "Code" was reused, not appended again: exactly one Utf8 "Code" in the pool.
  int codeUtf8 = 0;
  for (uint16_t i = 1; i < rc.cp.size(); ++i) codeUtf8 += rc.utf8(i) == "Code";
  EXPECT_EQ(codeUtf8, 1);
}

TEST(ClassfileRewriterTest, AddsCodeUtf8WhenMissing) {
  ClassBuilder cb;
  const uint16_t thisClass = cb.classRef("NoCode");
  const uint16_t superClass = cb.classRef("java/lang/Object");
  cb.method(0x0108, cb.utf8("n"), cb.utf8("(JIDF[[Z)D"), {});
  const std::vector<uint8_t> in = cb.build(52, 0x0021, thisClass, superClass);
  std::vector<uint8_t> out;
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "p$", {{"n", "(JIDF[[Z)D"}}, out, error)) << error;
  const ReadClass rc = readClass(out);
  ASSERT_TRUE(rc.ok);
  EXPECT_EQ(rc.cpCount, cb.count() + 4);  // Code, p$n, NameAndType, Methodref
  const ReadMethod* n = rc.method("n", "(JIDF[[Z)D");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->flags, 0x0008);
  const ReadAttribute* c = n->attribute("Code");
  ASSERT_NE(c, nullptr);
  // Slots: J 0-1, I 2, D 3-4, F 5, [[Z 6 -> max_locals 7, max_stack 7.
  // lload_0 iload_2 dload_3 fload 5 aload 6 invokestatic #x dreturn
  const std::vector<uint8_t> expect{0, 7, 0, 7, 0, 0, 0, 11, 0x1e, 0x1c, 0x29, 0x17, 5, 0x19, 6, 0xb8};
  ASSERT_EQ(c->body.size(), 23u);
  EXPECT_EQ(std::vector<uint8_t>(c->body.begin(), c->body.begin() + 16), expect);
  EXPECT_EQ(c->body[18], 0xaf);
  EXPECT_NE(rc.method("p$n", "(JIDF[[Z)D"), nullptr);
}

TEST(ClassfileRewriterTest, SkipsMissingAndNonNativeMethods) {
  const std::vector<uint8_t> in = buildSampleClass();
  std::vector<uint8_t> out;
  std::string error;

  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", {{"missing", "()V"}}, out, error));
  EXPECT_TRUE(contains(error, "missing()V")) << error;
  EXPECT_TRUE(contains(error, "not found")) << error;
  EXPECT_TRUE(out.empty());

  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", {{"notNative", "()I"}}, out, error));
  EXPECT_TRUE(contains(error, "not native")) << error;

  // Right name, wrong descriptor.
  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", {{"now", "()I"}}, out, error));
  EXPECT_TRUE(contains(error, "not found")) << error;

  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", {}, out, error));
  EXPECT_FALSE(error.empty());

  // Partial success: rewritten, with the skipped entry reported.
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", {{"missing", "()V"}, {"now", "()J"}, {"now", "()J"}},
                                out, error));
  EXPECT_TRUE(contains(error, "missing()V")) << error;
  const ReadClass rc = readClass(out);
  ASSERT_TRUE(rc.ok);
  EXPECT_EQ(rc.methods.size(), 6u);  // listed twice, wrapped once

  // Rewriting the output again: the wrapper is no longer native, the prefixed one already exists.
  std::vector<uint8_t> again;
  EXPECT_FALSE(wrapNativeMethods(out.data(), out.size(), "retrace$", {{"now", "()J"}}, again, error));
  EXPECT_TRUE(contains(error, "not native")) << error;
  EXPECT_TRUE(wrapNativeMethods(out.data(), out.size(), "retrace$", {{"plain", "(F)V"}}, again, error)) << error;
}

TEST(ClassfileRewriterTest, RejectsUnsupportedInput) {
  std::vector<uint8_t> out;
  std::string error;
  EXPECT_FALSE(wrapNativeMethods(nullptr, 0, "retrace$", kSampleMethods, out, error));
  EXPECT_FALSE(error.empty());

  const std::vector<uint8_t> v70 = buildSampleClass(70);
  EXPECT_FALSE(wrapNativeMethods(v70.data(), v70.size(), "retrace$", kSampleMethods, out, error));
  EXPECT_TRUE(contains(error, "version")) << error;
  const std::vector<uint8_t> v52 = buildSampleClass(52);
  EXPECT_TRUE(wrapNativeMethods(v52.data(), v52.size(), "retrace$", kSampleMethods, out, error)) << error;
  const std::vector<uint8_t> v69 = buildSampleClass(69);
  EXPECT_TRUE(wrapNativeMethods(v69.data(), v69.size(), "retrace$", kSampleMethods, out, error)) << error;

  std::vector<uint8_t> in = buildSampleClass();
  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "", kSampleMethods, out, error));

  // Trailing garbage.
  in.push_back(0);
  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", kSampleMethods, out, error));
  EXPECT_TRUE(contains(error, "trailing")) << error;

  // Interfaces cannot have natives.
  ClassBuilder cb;
  const uint16_t thisClass = cb.classRef("I");
  const uint16_t superClass = cb.classRef("java/lang/Object");
  cb.method(0x0109, cb.utf8("now"), cb.utf8("()J"), {});
  const std::vector<uint8_t> iface = cb.build(61, 0x0601, thisClass, superClass);
  EXPECT_FALSE(wrapNativeMethods(iface.data(), iface.size(), "retrace$", kSampleMethods, out, error));
  EXPECT_TRUE(contains(error, "interface")) << error;

  // Unknown constant pool tag 2.
  ClassBuilder bad;
  bad.raw(2, {0, 0});
  const std::vector<uint8_t> badTag = bad.build(61, 0x0021, 1, 1);
  EXPECT_FALSE(wrapNativeMethods(badTag.data(), badTag.size(), "retrace$", kSampleMethods, out, error));
  EXPECT_TRUE(contains(error, "tag")) << error;

  // this_class pointing at a Utf8.
  ClassBuilder wrongThis;
  const uint16_t u = wrongThis.utf8("X");
  const std::vector<uint8_t> wt = wrongThis.build(61, 0x0021, u, u);
  EXPECT_FALSE(wrapNativeMethods(wt.data(), wt.size(), "retrace$", kSampleMethods, out, error));

  // A Long in the last constant pool slot.
  ClassBuilder lastLong;
  lastLong.raw(5, {0, 0, 0, 0, 0, 0, 0, 1}, 1);  // counted as one slot: malformed
  const std::vector<uint8_t> ll = lastLong.build(61, 0x0021, 1, 1);
  EXPECT_FALSE(wrapNativeMethods(ll.data(), ll.size(), "retrace$", kSampleMethods, out, error));
}

TEST(ClassfileRewriterTest, ReportsConstantPoolOverflow) {
  ClassBuilder cb;
  const uint16_t thisClass = cb.classRef("Big");
  const uint16_t superClass = cb.classRef("java/lang/Object");
  const uint16_t name = cb.utf8("now");
  const uint16_t desc = cb.utf8("()J");
  cb.utf8("Code");
  while (cb.count() < 65533) cb.raw(3, {0, 0, 0, 0});  // cp_count 65533: room for 2 more only
  cb.method(0x0109, name, desc, {});
  const std::vector<uint8_t> in = cb.build(61, 0x0021, thisClass, superClass);
  std::vector<uint8_t> out;
  std::string error;
  EXPECT_FALSE(wrapNativeMethods(in.data(), in.size(), "retrace$", {{"now", "()J"}}, out, error));
  EXPECT_TRUE(contains(error, "constant pool")) << error;

  // Exactly enough room (3 new entries -> cp_count 65535) works.
  ClassBuilder fits;
  const uint16_t t2 = fits.classRef("Big");
  const uint16_t s2 = fits.classRef("java/lang/Object");
  const uint16_t n2 = fits.utf8("now");
  const uint16_t d2 = fits.utf8("()J");
  fits.utf8("Code");
  while (fits.count() < 65532) fits.raw(3, {0, 0, 0, 0});
  fits.method(0x0109, n2, d2, {});
  const std::vector<uint8_t> in2 = fits.build(61, 0x0021, t2, s2);
  ASSERT_TRUE(wrapNativeMethods(in2.data(), in2.size(), "retrace$", {{"now", "()J"}}, out, error)) << error;
  const ReadClass rc = readClass(out);
  ASSERT_TRUE(rc.ok);
  EXPECT_EQ(rc.cpCount, 65535);
}

TEST(ClassfileRewriterTest, TooManyArgumentSlotsIsSkipped) {
  ClassBuilder cb;
  const uint16_t thisClass = cb.classRef("Wide");
  const uint16_t superClass = cb.classRef("java/lang/Object");
  std::string ok = "(", tooMany = "(";
  for (int i = 0; i < 127; ++i) ok += "J";  // 254 slots + this = 255
  for (int i = 0; i < 128; ++i) tooMany += "J";
  ok += ")J";
  tooMany += ")V";
  cb.method(0x0100, cb.utf8("ok"), cb.utf8(ok), {});
  cb.method(0x0108, cb.utf8("big"), cb.utf8(tooMany), {});
  const std::vector<uint8_t> in = cb.build(61, 0x0021, thisClass, superClass);
  std::vector<uint8_t> out;
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "r$", {{"ok", ok}, {"big", tooMany}}, out, error));
  EXPECT_TRUE(contains(error, "big")) << error;
  const ReadClass rc = readClass(out);
  ASSERT_TRUE(rc.ok);
  const ReadMethod* m = rc.method("ok", ok);
  ASSERT_NE(m, nullptr);
  const ReadAttribute* c = m->attribute("Code");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->body[1], 255);  // max_stack
  EXPECT_EQ(c->body[3], 255);  // max_locals
  // Last load: lload 253 (0x16 0xfd), then invokespecial.
  EXPECT_TRUE(containsBytes(c->body, {0x16, 0xfd, 0xb7}));
}

TEST(ClassfileRewriterTest, TruncatedAndCorruptedInputNeverCrashes) {
  const std::vector<uint8_t> in = buildSampleClass();
  std::vector<uint8_t> out;
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kSampleMethods, out, error)) << error;

  for (size_t len = 0; len < in.size(); ++len) {
    // Copy into an exactly-sized buffer so a sanitizer catches any over-read.
    std::vector<uint8_t> truncated(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
    out.assign(3, 0xAA);
    error.clear();
    EXPECT_FALSE(wrapNativeMethods(truncated.data(), truncated.size(), "retrace$", kSampleMethods, out, error))
        << "length " << len;
    EXPECT_FALSE(error.empty()) << "length " << len;
    EXPECT_TRUE(out.empty()) << "length " << len;
  }

  // Single-byte corruptions anywhere: must not crash; whatever succeeds must re-parse.
  for (size_t i = 0; i < in.size(); ++i) {
    for (uint8_t v :
         {uint8_t{0x00}, uint8_t{0xFF}, static_cast<uint8_t>(in[i] + 1), static_cast<uint8_t>(in[i] ^ 0x80)}) {
      std::vector<uint8_t> corrupt = in;
      corrupt[i] = v;
      if (wrapNativeMethods(corrupt.data(), corrupt.size(), "retrace$", kSampleMethods, out, error)) {
        std::vector<uint8_t> again;
        std::string e2;
        wrapNativeMethods(out.data(), out.size(), "retrace$", {{"plain", "(F)V"}}, again, e2);
        EXPECT_FALSE(contains(e2, "truncated")) << "offset " << i << ": " << e2;
        EXPECT_FALSE(contains(e2, "trailing")) << "offset " << i << ": " << e2;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The real java/lang/System.class

class SystemClassTest : public ::testing::TestWithParam<Jdk> {};

// Returns the javap -v block (header line up to the next blank line) of the method whose header
// line ends with `header`.
std::string javapMethodBlock(const std::string& javap, const std::string& header) {
  std::string block;
  bool in = false;
  for (const std::string& l : lines(javap)) {
    if (!in && l.size() >= header.size() && l.compare(l.size() - header.size(), header.size(), header) == 0) {
      in = true;
    }
    if (in) {
      if (l.empty()) break;
      block += l + "\n";
    }
  }
  return block;
}

TEST_P(SystemClassTest, RewritesNanoTimeAndCurrentTimeMillis) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::vector<uint8_t> in;
  std::string log;
  ASSERT_TRUE(extractSystemClass(jdk, dir, in, log)) << log;
  ASSERT_GT(in.size(), 10000u);

  std::vector<uint8_t> out;
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kClockMethods, out, error)) << error;
  EXPECT_EQ(error, "");
  ASSERT_TRUE(readClass(out).ok);

  const std::string path = dir / "System.class";
  ASSERT_TRUE(writeFile(path, out));
  const CommandResult javap = run(bin(jdk, "javap") + " -p -v " + quote(path));
  ASSERT_EQ(javap.status, 0) << javap.output;
  for (const std::string& l : lines(javap.output)) {
    EXPECT_NE(l.rfind("Error", 0), 0u) << l;  // javap reports problems as "Error: ..."
  }

  for (const std::string name : {"nanoTime", "currentTimeMillis"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(contains(javap.output, "public static native long " + name + "();"));
    const std::string wrapper = javapMethodBlock(javap.output, "public static long " + name + "();");
    ASSERT_FALSE(wrapper.empty()) << "no Java " << name;
    EXPECT_TRUE(contains(wrapper, "flags: (0x0009) ACC_PUBLIC, ACC_STATIC")) << wrapper;
    EXPECT_TRUE(contains(wrapper, "stack=2, locals=0, args_size=0")) << wrapper;
    EXPECT_TRUE(contains(wrapper, "invokestatic")) << wrapper;
    EXPECT_TRUE(contains(wrapper, "// Method retrace$" + name + ":()J")) << wrapper;
    EXPECT_TRUE(contains(wrapper, "lreturn")) << wrapper;
    EXPECT_FALSE(contains(wrapper, "IntrinsicCandidate")) << wrapper;

    const std::string native = javapMethodBlock(javap.output, "public static native long retrace$" + name + "();");
    ASSERT_FALSE(native.empty()) << "no native retrace$" << name;
    EXPECT_TRUE(contains(native, "flags: (0x0109) ACC_PUBLIC, ACC_STATIC, ACC_NATIVE")) << native;
    // @IntrinsicCandidate is stripped from the renamed native (see header comment) ...
    EXPECT_FALSE(contains(native, "IntrinsicCandidate")) << native;
  }
  // ... but stays on natives that were not rewritten.
  const std::string arraycopy = javapMethodBlock(
      javap.output, "public static native void arraycopy(java.lang.Object, int, java.lang.Object, int, int);");
  EXPECT_TRUE(contains(arraycopy, "IntrinsicCandidate")) << arraycopy;

  // The rewritten bytes re-parse: a further rewrite of another native succeeds, and the wrappers
  // are reported as not native.
  std::vector<uint8_t> again;
  EXPECT_TRUE(wrapNativeMethods(out.data(), out.size(), "retrace$",
                                {{"arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V"}}, again, error))
      << error;
  EXPECT_FALSE(wrapNativeMethods(out.data(), out.size(), "retrace$", {{"nanoTime", "()J"}}, again, error));
  EXPECT_TRUE(contains(error, "not native")) << error;
}

TEST_P(SystemClassTest, TruncatedSystemClassNeverCrashes) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  std::vector<uint8_t> in;
  std::string log;
  ASSERT_TRUE(extractSystemClass(jdk, dir, in, log)) << log;
  std::vector<uint8_t> out;
  std::string error;
  for (size_t len = 0; len < in.size(); len += 7) {
    std::vector<uint8_t> truncated(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(wrapNativeMethods(truncated.data(), truncated.size(), "retrace$", kClockMethods, out, error))
        << "length " << len;
  }
}

// A minimal JVMTI agent that only sets the native method prefix, so the JVM can run the rewritten
// System class (RegisterNatives of "nanoTime" then binds "retrace$nanoTime").
constexpr const char* kPrefixAgentSource = R"C(
#include <jvmti.h>
#include <string.h>
JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM* vm, char* options, void* reserved) {
  jvmtiEnv* env;
  if ((*vm)->GetEnv(vm, (void**)&env, JVMTI_VERSION_1_2) != JNI_OK) return 1;
  jvmtiCapabilities caps;
  memset(&caps, 0, sizeof caps);
  caps.can_set_native_method_prefix = 1;
  if ((*env)->AddCapabilities(env, &caps) != JVMTI_ERROR_NONE) return 2;
  if ((*env)->SetNativeMethodPrefix(env, "retrace$") != JVMTI_ERROR_NONE) return 3;
  return 0;
}
)C";

constexpr const char* kTimeLoopSource = R"J(
public class TimeLoop {
  static long spin(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) s += System.nanoTime() & 1;
    return s;
  }
  public static void main(String[] args) throws Exception {
    long s = 0;
    for (int k = 0; k < 300; k++) s += spin(10000);
    long n0 = System.nanoTime();
    Thread.sleep(30);
    long n1 = System.nanoTime();
    System.out.println("nanoOk " + (n1 - n0 >= 25000000L && n1 - n0 < 60000000000L));
    long diff = Math.abs(System.currentTimeMillis() - java.time.Instant.now().toEpochMilli());
    System.out.println("millisOk " + (diff < 10000));
    System.out.println("nanoNative " + java.lang.reflect.Modifier.isNative(System.class.getMethod("nanoTime").getModifiers()));
    System.out.println("sumOk " + (s >= 0));
  }
}
)J";

// End to end: boot the JVM with the rewritten System class (via --patch-module) and a prefix
// agent, under -Xverify:all, and check the JIT calls the prefixed native instead of an intrinsic.
TEST_P(SystemClassTest, RewrittenSystemBootsWithPrefixAgent) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  const std::string home = jdk.home;
  if (!exists(home + "/include/jvmti.h")) GTEST_SKIP() << "no jvmti.h in " << home;
  TempDir dir;
  if (run(std::string(RETRACE_TEST_CC) + " --version").status != 0) {
    GTEST_SKIP() << "no C compiler (" << RETRACE_TEST_CC << ") to build the prefix agent";
  }
  ASSERT_TRUE(writeFile(dir / "agent.c", kPrefixAgentSource));
  const CommandResult cc =
      run(std::string(RETRACE_TEST_CC) + " -shared -fPIC -I" + quote(home + "/include") + " -I" +
          quote(home + "/include/linux") + " " + quote(dir / "agent.c") + " -o " + quote(dir / "libprefix.so"));
  ASSERT_EQ(cc.status, 0) << cc.output;

  std::vector<uint8_t> in, out;
  std::string log, error;
  ASSERT_TRUE(extractSystemClass(jdk, dir, in, log)) << log;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kClockMethods, out, error)) << error;
  ASSERT_EQ(run("mkdir -p " + quote(dir / "patch/java/lang") + " " + quote(dir / "cls")).status, 0);
  ASSERT_TRUE(writeFile(dir / "patch/java/lang/System.class", out));

  ASSERT_TRUE(writeFile(dir / "TimeLoop.java", kTimeLoopSource));
  const CommandResult javac = run(bin(jdk, "javac") + " -d " + quote(dir / "cls") + " " + quote(dir / "TimeLoop.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;

  const CommandResult java = run(bin(jdk, "java") + " -agentpath:" + quote(dir / "libprefix.so") +
                                 " --patch-module java.base=" + quote(dir / "patch") +
                                 " -Xshare:off -Xverify:all -Xbatch -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining" +
                                 " -cp " + quote(dir / "cls") + " TimeLoop");
  ASSERT_EQ(java.status, 0) << java.output;
  EXPECT_TRUE(hasLine(java.output, "nanoOk true")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "millisOk true")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "nanoNative false")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "sumOk true")) << java.output;
  // HotSpot's CheckIntrinsics (on by default) would print this to stdout if the renamed native
  // kept @IntrinsicCandidate.
  EXPECT_FALSE(contains(java.output, "but no compiler intrinsic is defined")) << java.output;

  // Compiled code reaches the prefixed native, and nanoTime is never used as an intrinsic.
  bool nativeCallSeen = false;
  for (const std::string& l : lines(java.output)) {
    if (contains(l, "System::retrace$nanoTime") && contains(l, "native method")) nativeCallSeen = true;
    if (contains(l, "System::nanoTime") && contains(l, "intrinsic")) {
      EXPECT_TRUE(contains(l, "failed")) << l;  // JDK 17: "failed to inline (intrinsic), method not annotated"
    }
  }
  EXPECT_TRUE(nativeCallSeen) << java.output;
}

// ---------------------------------------------------------------------------------------------
// insertTickCalls and addPreemptionHooks (preemption.h): ticks at every method entry.

// Shapes that make the code move hard: switches at every alignment, loops back to offset 0,
// exception handlers, `new` in a constructor's super(...) arguments (Uninitialized frames),
// lambdas, static initialisers, interface default and static methods, an enum, parameters in the
// LocalVariableTable (javac -g).
constexpr const char* kShapesSource = R"J(
import java.util.*;
import java.util.function.*;

public class Shapes {
  interface Greeter { default String greet(String n) { return hello() + n; } static String hello() { return "hi "; } }
  enum Mode { A, B, C; Mode next() { return values()[(ordinal() + 1) % 3]; } }
  static class Base { final String s; Base(StringBuilder b) { s = b.toString(); } }
  static class Derived extends Base implements Greeter { Derived(int n) { super(new StringBuilder("d").append(n)); } }
  static final Map<String, Integer> TABLE = new HashMap<>();
  static { for (int i = 0; i < 5; i++) TABLE.put("k" + i, i * i); }

  static int table(int x) { switch (x) { case 0: return 10; case 1: return 11; case 2: return 12; case 3: return 13; default: return -1; } }
  static int lookup(int x) { switch (x) { case -100: return 1; case 7: return 2; case 100000: return 3; default: return 0; } }
  static int a1(int x) { int y = x; switch (y) { case 0: return 1; case 1: return 2; case 2: return 3; default: return 4; } }
  static int a2(long x) { int y = (int) x; y++; switch (y) { case 5: return 1; case 6: return 2; case 9: return 3; default: return 4; } }
  static String s(String k) { switch (k) { case "one": return "1"; case "two": return "2"; default: return "?"; } }
  static int spinFromStart(int n) { while (true) { if (--n <= 0) return n; } }
  static int guarded(int[] a, int i) {
    try { return a[i]; } catch (ArrayIndexOutOfBoundsException e) { return -1; } finally { a[0]++; }
  }
  static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

  public static void main(String[] args) {
    StringBuilder out = new StringBuilder();
    for (int i = -1; i < 6; i++) out.append(table(i)).append(lookup(i == 5 ? 100000 : i)).append(a1(i)).append(a2(i + 4)).append(',');
    out.append(s("one")).append(s("two")).append(s("x")).append(spinFromStart(5));
    int[] arr = {1, 2};
    out.append(guarded(arr, 1)).append(guarded(arr, 9)).append(arr[0]);
    Derived d = new Derived(7);
    out.append(d.s).append(d.greet("you")).append(Mode.C.next()).append(TABLE.get("k3"));
    Function<Integer, Integer> f = x -> x * 3;
    Supplier<String> sup = () -> "sup";
    out.append(f.apply(4)).append(sup.get());
    List<Integer> list = new ArrayList<>(List.of(5, 3, 9, 1));
    list.sort(Comparator.naturalOrder());
    out.append(list);
    System.out.println(out);
    System.out.println("fib " + fib(10));
  }
}
)J";

// The tick target: counts method entries. It is not rewritten itself.
constexpr const char* kTickSource = R"J(
public class Tick {
  public static long count;
  public static void tick() { count++; }
  // The ticks since the last call: lets a program count the ticks of one call without a field
  // access of its own in between.
  static long mark;
  public static long since() { long d = count - mark; mark = count; return d; }
}
)J";

constexpr const char* kCountSource = R"J(
public class Count {
  static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
  public static void main(String[] args) {
    long before = Tick.count;  // main's own entry has ticked
    long f = fib(10);
    System.out.println("fib " + f + " before " + before + " ticks " + (Tick.count - before));
  }
}
)J";

const StaticCall kTestTick{"Tick", "tick", "()V"};

// Rewrites every class in dir/cls except Tick; returns how many methods changed.
int tickAllClasses(const std::string& cls, std::string& log, TickPlaces places = TickPlaces::kMethodEntries) {
  const CommandResult list = run("cd " + quote(cls) + " && ls *.class");
  int total = 0;
  for (const std::string& name : lines(list.output)) {
    if (name.empty() || name == "Tick.class") continue;
    std::vector<uint8_t> in, out;
    if (!readFile(cls + "/" + name, in)) {
      log += "cannot read " + name + "\n";
      return -1;
    }
    std::string error;
    int changed = insertTickCalls(in.data(), in.size(), kTestTick, out, error, places);
    if (changed < 0) {
      log += name + ": " + error + "\n";
      return -1;
    }
    total += changed;
    if (!writeFile(cls + "/" + name, out)) return -1;
  }
  return total;
}

class TickCallsEndToEnd : public ::testing::TestWithParam<Jdk> {};

TEST_P(TickCallsEndToEnd, EveryShapeStillVerifiesAndRunsTheSame) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Shapes.java", kShapesSource));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac = run(bin(jdk, "javac") + " -g -d " + quote(dir / "cls") + " " +
                                  quote(dir / "Shapes.java") + " " + quote(dir / "Tick.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  const std::string java = bin(jdk, "java") + " -Xverify:all -cp " + quote(dir / "cls") + " Shapes";
  const CommandResult before = run(java);
  ASSERT_EQ(before.status, 0) << before.output;
  std::string log;
  EXPECT_GT(tickAllClasses(dir / "cls", log), 20) << log;
  const CommandResult after = run(java);
  ASSERT_EQ(after.status, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
  // The rewritten classes are what javap reads too: nothing it cannot decode.
  const CommandResult javap = run(bin(jdk, "javap") + " -p -c -l " + quote(dir / "cls/Shapes.class"));
  ASSERT_EQ(javap.status, 0) << javap.output;
  EXPECT_TRUE(contains(javap.output, "0: invokestatic  #")) << javap.output;
  EXPECT_TRUE(contains(javap.output, "// Method Tick.tick:()V")) << javap.output;
}

TEST_P(TickCallsEndToEnd, OneTickPerMethodEntry) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Count.java", kCountSource));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac = run(bin(jdk, "javac") + " -d " + quote(dir / "cls") + " " + quote(dir / "Count.java") +
                                  " " + quote(dir / "Tick.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  std::string log;
  EXPECT_EQ(tickAllClasses(dir / "cls", log), 3) << log;  // <init>, fib, main
  // Interpreted and compiled (-Xcomp) alike: the count is the program's, not the JIT's.
  for (const char* mode : {"-Xint", "-Xcomp"}) {
    SCOPED_TRACE(mode);
    const CommandResult java =
        run(bin(jdk, "java") + " -Xverify:all " + mode + " -cp " + quote(dir / "cls") + " Count");
    ASSERT_EQ(java.status, 0) << java.output;
    EXPECT_TRUE(hasLine(java.output, "fib 55 before 1 ticks 177")) << java.output;  // fib(10): 177 calls
  }
}

INSTANTIATE_TEST_SUITE_P(Jdks, TickCallsEndToEnd, ::testing::Values(kJdk17, kJdk25),
                         [](const ::testing::TestParamInfo<Jdk>& info) { return std::string(info.param.label); });

// ---------------------------------------------------------------------------------------------
// TickPlaces::kMethodEntriesAndFieldAccesses: a tick before every field and array access too.

// Each measured call is bracketed by Tick.since() (Tick is not rewritten, and nothing between the
// brackets reads a field), and `expected` is counted by hand from the source: one tick per method
// entry plus one per field or array access executed (javac: `s++` is getstatic, putstatic; `f += i`
// getfield, putfield; `x[i]++` iaload, iastore).
constexpr const char* kFieldsSource = R"J(
import java.util.function.*;

public class Fields {
  static int s;
  static int[] table = new int[8];
  int f;
  int[] a = {1, 2, 3, 4};  // in <init>: four iastores and a putfield

  // javac stores this$0 before super() (JDK 18+ only when a method uses it, as get() does): a tick
  // before a putfield on an uninitialised this. The constructor reads f through its parameter.
  class Inner { int v; Inner() { v = f; } int get() { return f + v; } }

  static void staticLoop(int n) { for (int i = 0; i < n; i++) s++; }
  void instanceLoop(int n) { for (int i = 0; i < n; i++) f += i; }
  static void arrayLoop(int[] x, int n) { for (int i = 0; i < n; i++) x[i & 3]++; }
  static int tableSwitch(int k) {
    switch (k) { case 0: return s; case 1: return s + 1; case 2: return table[2]; case 3: s = 3; return 0; default: return -1; }
  }
  static int lookupSwitch(int k) { switch (k) { case -5: return s; case 1000: return table[1]; default: return 0; } }
  static int switchLoop(int n) {  // both switches inside a loop, at every alignment javac gives them
    int r = 0;
    for (int i = 0; i < n; i++) {
      switch (i % 3) { case 0: r += s; break; case 1: r += table[1]; break; default: r++; }
      switch (i * 1000) { case 0: r += table[0]; break; case 2000: s++; break; default: r--; }
    }
    return r;
  }
  static int guarded(int[] x, int i) {
    try { return x[i]; } catch (ArrayIndexOutOfBoundsException e) { return s; } finally { s++; }
  }
  static int nested(int a, int b) {
    if (a > 0) { if (b > 0) return s; else return table[0]; }
    while (a < 0) { a++; s--; }
    return a;
  }
  static synchronized int locked() { synchronized (table) { return table[3]++; } }
  static long longs(long[] l, double[] d) { l[0] += 7; d[1] = d[0] * 2; return l[0] + (long) d[1]; }

  static void check(String name, long got, long expected) { System.out.println("ticks " + name + " " + got + " " + expected); }

  public static void main(String[] args) {
    Fields o = new Fields();
    IntSupplier lambda = () -> s + table[0];
    int[] arr = {5, 6, 7, 8};
    long[] ls = {1, 2};
    double[] ds = {1.5, 0};
    long d;
    int r;
    Tick.since(); Fields p = new Fields(); d = Tick.since(); check("init", d, 1 + 5);
    Tick.since(); staticLoop(1000); d = Tick.since(); check("staticLoop", d, 1 + 2 * 1000);
    Tick.since(); o.instanceLoop(100); d = Tick.since(); check("instanceLoop", d, 1 + 2 * 100);
    Tick.since(); arrayLoop(arr, 50); d = Tick.since(); check("arrayLoop", d, 1 + 2 * 50);
    for (int k = 0; k < 5; k++) {
      Tick.since(); r = tableSwitch(k == 4 ? 9 : k); d = Tick.since(); check("tableSwitch" + k, d, k == 2 ? 3 : k == 4 ? 1 : 2);
      System.out.println("result tableSwitch " + r);
    }
    for (int k : new int[] {-5, 1000, 3}) {
      Tick.since(); r = lookupSwitch(k); d = Tick.since(); check("lookupSwitch" + k, d, k == -5 ? 2 : k == 1000 ? 3 : 1);
      System.out.println("result lookupSwitch " + r);
    }
    // i = 0..5: first switch 1,2,0,1,2,0 accesses; second: i=0: 2 (getstatic table, iaload), i=2: 2 (s++), else 0.
    Tick.since(); r = switchLoop(6); d = Tick.since(); check("switchLoop", d, 1 + 6 + 4);
    System.out.println("result switchLoop " + r);
    Tick.since(); r = guarded(arr, 1); d = Tick.since(); check("guardedIn", d, 1 + 1 + 2);
    System.out.println("result guarded " + r);
    Tick.since(); r = guarded(arr, 9); d = Tick.since(); check("guardedOut", d, 1 + 1 + 1 + 2);
    System.out.println("result guarded " + r);
    Tick.since(); r = nested(1, 1); d = Tick.since(); check("nested11", d, 2);
    Tick.since(); r = nested(1, -1); d = Tick.since(); check("nested1m", d, 3);
    Tick.since(); r = nested(-3, 0); d = Tick.since(); check("nestedLoop", d, 1 + 3 * 2);
    Tick.since(); r = locked(); d = Tick.since(); check("locked", d, 1 + 1 + 1 + 1 + 1);  // table, table, iaload, iastore
    System.out.println("result locked " + r);
    Tick.since(); long lr = longs(ls, ds); d = Tick.since(); check("longs", d, 1 + 2 + 2 + 2);
    System.out.println("result longs " + lr);
    Tick.since(); Inner in = o.new Inner(); d = Tick.since(); check("inner", d, 1 + 3);  // this$0, f, v
    Tick.since(); r = lambda.getAsInt(); d = Tick.since(); check("lambda", d, 1 + 3);
    System.out.println("result lambda " + r);
    Tick.since(); r = Big.branchOver(1); d = Tick.since(); check("branchOver", d, 1);  // too far: entry tick only
    Tick.since(); r = Big.tooLong(1); d = Tick.since(); check("tooLong", d, 1);  // 64 KiB: entry tick only
    Tick.since(); r = Big.wideBranches(1); d = Tick.since(); check("wideBranches", d, 1 + 1 + 1);  // goto_w
    Tick.since(); r = Big.medium(1); d = Tick.since(); check("medium", d, 1 + 2 * Big.MEDIUM);
    System.out.println("result big " + Big.s0 + " " + Big.s1 + " " + Big.branchOver(0) + " " + Big.wideBranches(2));
    System.out.println("result " + s + " " + o.f + " " + p.a[3] + " " + in.v + " " + java.util.Arrays.toString(arr) + " "
        + java.util.Arrays.toString(table) + " " + in.get());
  }
}
)J";

// Big.java: methods near the limits. `s0 = s0 + 1` is 8 bytes of code with two accesses, so
// `branchOver`'s if fits a 16-bit offset before the ticks and not after; `tooLong` would pass
// 64 KiB with them; `wideBranches` is over 32 KiB already, so javac uses goto_w, and its few
// accesses fit; `medium` fits with all its ticks.
std::string bigSource() {
  auto repeat = [](const std::string& statement, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += statement;
    return s;
  };
  const int medium = 1500;
  return "public class Big {\n  static int s0, s1;\n  static final int MEDIUM = " + std::to_string(medium) +
         ";\n"
         "  static int branchOver(int c) { if (c > 0) {\n" +
         repeat("s0 = s0 + 1;\n", 3900) +
         "} return c; }\n"
         "  static int tooLong(int c) {\n" +
         repeat("s1 = s1 + 1;\n", 4200) +
         "return c; }\n"
         "  static int wideBranches(int c) { int x = c; for (int i = 0; i < c; i++) {\n" +
         repeat("x = x * 31 + 7;\n", 4200) +
         "s0 = x; } return x + s0; }\n"
         "  static int medium(int c) {\n" +
         repeat("s1 = s1 + 1;\n", medium) + "return c; }\n}\n";
}

// The lines of `output` that start with `prefix`.
std::vector<std::string> linesStarting(const std::string& output, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& l : lines(output)) {
    if (l.rfind(prefix, 0) == 0) found.push_back(l);
  }
  return found;
}

class FieldTicksEndToEnd : public ::testing::TestWithParam<Jdk> {};

TEST_P(FieldTicksEndToEnd, OneTickPerEntryAndPerFieldOrArrayAccess) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Fields.java", kFieldsSource));
  ASSERT_TRUE(writeFile(dir / "Big.java", bigSource()));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac =
      run(bin(jdk, "javac") + " -g -d " + quote(dir / "cls") + " " + quote(dir / "Fields.java") + " " +
          quote(dir / "Big.java") + " " + quote(dir / "Tick.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  const std::string java = bin(jdk, "java") + " -Xverify:all ";
  const std::string cp = " -cp " + quote(dir / "cls") + " Fields";
  const CommandResult before = run(java + cp);
  ASSERT_EQ(before.status, 0) << before.output;
  std::string log;
  EXPECT_GT(tickAllClasses(dir / "cls", log, TickPlaces::kMethodEntriesAndFieldAccesses), 20) << log;
  // Interpreted and compiled (-Xcomp) alike: the count is the program's, not the JIT's.
  for (const char* mode : {"-Xint", "-Xcomp"}) {
    SCOPED_TRACE(mode);
    const CommandResult after = run(java + mode + cp);
    ASSERT_EQ(after.status, 0) << after.output;
    EXPECT_EQ(linesStarting(after.output, "result"), linesStarting(before.output, "result")) << after.output;
    const std::vector<std::string> ticks = linesStarting(after.output, "ticks");
    EXPECT_EQ(ticks.size(), 26u) << after.output;
    for (const std::string& l : ticks) {
      std::istringstream words(l);
      std::string label, name;
      long got = -1, expected = -2;
      words >> label >> name >> got >> expected;
      EXPECT_EQ(got, expected) << l;
    }
  }
  const CommandResult javap = run(bin(jdk, "javap") + " -p -c -l " + quote(dir / "cls/Fields.class"));
  ASSERT_EQ(javap.status, 0) << javap.output;
  EXPECT_TRUE(contains(javap.output, "// Method Tick.tick:()V")) << javap.output;
  const CommandResult big = run(bin(jdk, "javap") + " -p -c " + quote(dir / "cls/Big.class"));
  EXPECT_TRUE(contains(big.output, "goto_w")) << "wideBranches should use goto_w";
}

TEST_P(FieldTicksEndToEnd, EveryShapeStillVerifiesAndRunsTheSame) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Shapes.java", kShapesSource));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac = run(bin(jdk, "javac") + " -g -d " + quote(dir / "cls") + " " +
                                  quote(dir / "Shapes.java") + " " + quote(dir / "Tick.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  const std::string java = bin(jdk, "java") + " -Xverify:all -cp " + quote(dir / "cls") + " Shapes";
  const CommandResult before = run(java);
  ASSERT_EQ(before.status, 0) << before.output;
  std::string log;
  EXPECT_GT(tickAllClasses(dir / "cls", log, TickPlaces::kMethodEntriesAndFieldAccesses), 20) << log;
  const CommandResult after = run(java);
  ASSERT_EQ(after.status, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
  const CommandResult javap = run(bin(jdk, "javap") + " -p -c -l " + quote(dir / "cls/Shapes.class"));
  ASSERT_EQ(javap.status, 0) << javap.output;
}

// The bytecode of a Code attribute body: max_stack, max_locals, code_length, code.
std::vector<uint8_t> bytecodeOf(const ReadAttribute& code) {
  if (code.body.size() < 8) return {};
  const size_t length =
      (size_t{code.body[4]} << 24) | (size_t{code.body[5]} << 16) | (size_t{code.body[6]} << 8) | code.body[7];
  if (code.body.size() < 8 + length) return {};
  return {code.body.begin() + 8, code.body.begin() + 8 + static_cast<std::ptrdiff_t>(length)};
}

// Every method of `rewritten` with code has `invokestatic #n; nop` and then exactly the bytecode
// the method has in `original` (entry ticks move no branch).
bool everyMethodIsTickThenItsOwnCode(const std::vector<uint8_t>& original, const std::vector<uint8_t>& rewritten) {
  const ReadClass before = readClass(original);
  const ReadClass after = readClass(rewritten);
  if (!before.ok || !after.ok || before.methods.size() != after.methods.size()) return false;
  for (size_t i = 0; i < before.methods.size(); ++i) {
    const ReadAttribute* was = before.methods[i].attribute("Code");
    const ReadAttribute* now = after.methods[i].attribute("Code");
    if ((was == nullptr) != (now == nullptr)) return false;
    if (was == nullptr) continue;
    const std::vector<uint8_t> old = bytecodeOf(*was);
    const std::vector<uint8_t> code = bytecodeOf(*now);
    if (code.size() != old.size() + 4 || code[0] != 0xb8 || code[3] != 0x00) return false;
    if (!std::equal(old.begin(), old.end(), code.begin() + 4)) return false;
  }
  return true;
}

// With entry ticks alone, every method's code is the tick and then its own bytes unchanged (no
// branch moves); and a class rewritten with field ticks is left alone by a second rewrite, like
// one with entry ticks.
TEST_P(FieldTicksEndToEnd, EntryTicksKeepTheirBytesAndRewritingTwiceChangesNothing) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Fields.java", kFieldsSource));
  ASSERT_TRUE(writeFile(dir / "Big.java", bigSource()));
  ASSERT_TRUE(writeFile(dir / "Shapes.java", kShapesSource));
  ASSERT_TRUE(writeFile(dir / "Count.java", kCountSource));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  for (const char* flags : {"-g", "-g:none"}) {
    SCOPED_TRACE(flags);
    ASSERT_EQ(run("rm -rf " + quote(dir / "cls") + " && mkdir -p " + quote(dir / "cls")).status, 0);
    const CommandResult javac =
        run(bin(jdk, "javac") + " " + flags + " -d " + quote(dir / "cls") + " " + quote(dir / "Fields.java") + " " +
            quote(dir / "Big.java") + " " + quote(dir / "Shapes.java") + " " + quote(dir / "Count.java") + " " +
            quote(dir / "Tick.java"));
    ASSERT_EQ(javac.status, 0) << javac.output;
    const CommandResult list = run("cd " + quote(dir / "cls") + " && ls *.class");
    int classes = 0;
    for (const std::string& name : lines(list.output)) {
      if (name.empty()) continue;
      SCOPED_TRACE(name);
      ++classes;
      std::vector<uint8_t> in, now, fields, again;
      ASSERT_TRUE(readFile(dir / ("cls/" + name), in));
      std::string error;
      ASSERT_GE(insertTickCalls(in.data(), in.size(), kTestTick, now, error), 0) << error;
      EXPECT_TRUE(everyMethodIsTickThenItsOwnCode(in, now)) << name;
      ASSERT_GE(
          insertTickCalls(in.data(), in.size(), kTestTick, fields, error, TickPlaces::kMethodEntriesAndFieldAccesses),
          0)
          << error;
      EXPECT_EQ(insertTickCalls(fields.data(), fields.size(), kTestTick, again, error,
                                TickPlaces::kMethodEntriesAndFieldAccesses),
                0)
          << error;
      EXPECT_TRUE(again == fields);
    }
    EXPECT_GE(classes, 10);
  }
}

INSTANTIATE_TEST_SUITE_P(Jdks, FieldTicksEndToEnd, ::testing::Values(kJdk17, kJdk25),
                         [](const ::testing::TestParamInfo<Jdk>& info) { return std::string(info.param.label); });

TEST(TickCallsTest, ASecondRewriteChangesNothingAndDamageIsRefused) {
  const Jdk jdk = kJdk17;
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_TRUE(writeFile(dir / "Count.java", kCountSource));
  ASSERT_TRUE(writeFile(dir / "Tick.java", kTickSource));
  const CommandResult javac = run(bin(jdk, "javac") + " -d " + quote(dir.path()) + " " + quote(dir / "Count.java") +
                                  " " + quote(dir / "Tick.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  std::vector<uint8_t> in, once, twice;
  ASSERT_TRUE(readFile(dir / "Count.class", in));
  std::string error;
  ASSERT_EQ(insertTickCalls(in.data(), in.size(), kTestTick, once, error), 3) << error;
  EXPECT_EQ(insertTickCalls(once.data(), once.size(), kTestTick, twice, error), 0) << error;
  EXPECT_EQ(twice, once);
  for (size_t len = 0; len < in.size(); ++len) {
    std::vector<uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
    std::vector<uint8_t> out;
    EXPECT_EQ(insertTickCalls(cut.data(), cut.size(), kTestTick, out, error), -1) << "length " << len;
  }
}

// What a tick does in the JDK's own System: counts the holder's entries, and nobody else's.
constexpr const char* kTickDriverSource = R"J(
import java.lang.reflect.*;

public class TickDriver {
  public static void main(String[] args) throws Exception {
    Field holder = System.class.getDeclaredField("retrace$holder");
    Field ticks = System.class.getDeclaredField("retrace$ticks");
    Field limit = System.class.getDeclaredField("retrace$limit");
    Method tick = System.class.getMethod("retrace$tick");
    for (AccessibleObject o : new AccessibleObject[] {holder, ticks, limit}) o.setAccessible(true);
    System.out.println("volatile limit " + Modifier.isVolatile(limit.getModifiers()));
    tick.invoke(null);
    System.out.println("no holder " + ticks.get(null));
    holder.set(null, Thread.currentThread());
    limit.set(null, Long.MAX_VALUE);
    tick.invoke(null);
    tick.invoke(null);
    System.out.println("holder " + ticks.get(null));
    Thread other = new Thread(() -> { try { tick.invoke(null); } catch (Exception e) { throw new RuntimeException(e); } });
    other.start();
    other.join();
    System.out.println("other thread " + ticks.get(null));
  }
}
)J";

// Runs DRIVER (a class in `source`) on `jdk` with `system` as java.lang.System, under -Xverify:all.
CommandResult runWithSystemClass(const Jdk& jdk, const TempDir& dir, const std::vector<uint8_t>& system,
                                 const std::string& driver, const char* source) {
  if (run("mkdir -p " + quote(dir / "patch/java/lang") + " " + quote(dir / "cls")).status != 0 ||
      !writeFile(dir / "patch/java/lang/System.class", system) || !writeFile(dir / (driver + ".java"), source)) {
    return {1, "cannot write the patched class and its driver"};
  }
  const CommandResult javac =
      run(bin(jdk, "javac") + " -d " + quote(dir / "cls") + " " + quote(dir / (driver + ".java")));
  if (javac.status != 0) return javac;
  return run(bin(jdk, "java") + " --patch-module java.base=" + quote(dir / "patch") +
             " --add-opens java.base/java.lang=ALL-UNNAMED -Xshare:off -Xverify:all -cp " + quote(dir / "cls") + " " +
             driver);
}

TEST_P(SystemClassTest, PreemptionHooksCountTheHoldersTicks) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  std::vector<uint8_t> in, wrapped, out;
  std::string log, error;
  ASSERT_TRUE(extractSystemClass(jdk, dir, in, log)) << log;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kClockMethods, wrapped, error)) << error;
  ASSERT_TRUE(addPreemptionHooks(wrapped.data(), wrapped.size(), out, error)) << error;
  ASSERT_TRUE(readClass(out).ok);
  std::vector<uint8_t> again;
  EXPECT_FALSE(addPreemptionHooks(out.data(), out.size(), again, error));
  // Without the prefix agent the clock wrappers cannot bind: only the hooks are patched in here.
  ASSERT_TRUE(addPreemptionHooks(in.data(), in.size(), out, error)) << error;
  const CommandResult java = runWithSystemClass(jdk, dir, out, "TickDriver", kTickDriverSource);
  ASSERT_EQ(java.status, 0) << java.output;
  EXPECT_TRUE(hasLine(java.output, "volatile limit true")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "no holder 0")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "holder 2")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "other thread 2")) << java.output;
  for (size_t len = 0; len < in.size(); len += 11) {
    std::vector<uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(addPreemptionHooks(cut.data(), cut.size(), out, error)) << "length " << len;
  }
}

constexpr const char* kProgressDriverSource = R"J(
import java.lang.reflect.*;

public class ProgressDriver {
  public static void main(String[] args) throws Exception {
    Method progress = System.class.getDeclaredMethod("retrace$progress", Thread.class);
    Method previous = System.class.getDeclaredMethod("retrace$previousProgress", Thread.class);
    Method seek = System.class.getDeclaredMethod("retrace$seek", Thread.class, long.class);
    Method reached = System.class.getDeclaredMethod("retrace$reached");
    for (Method m : new Method[] {progress, previous, seek, reached}) {
      System.out.println(m.getName() + " " + Modifier.toString(m.getModifiers()) + " " + m.getReturnType());
    }
    reached.setAccessible(true);
    reached.invoke(null);
    System.out.println("reached returns");
    progress.setAccessible(true);
    try {
      progress.invoke(null, Thread.currentThread());
    } catch (InvocationTargetException e) {
      System.out.println("unbound " + e.getCause().getClass().getSimpleName());
    }
    System.out.println("ticks still there " + (System.class.getDeclaredField("retrace$ticks") != null));
  }
}
)J";

TEST_P(SystemClassTest, ProgressHooksAreDeclaredBesideThePreemptionHooks) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  std::vector<uint8_t> in, ticked, out;
  std::string log, error;
  ASSERT_TRUE(extractSystemClass(jdk, dir, in, log)) << log;
  ASSERT_TRUE(addPreemptionHooks(in.data(), in.size(), ticked, error)) << error;
  ASSERT_TRUE(addProgressHooks(ticked.data(), ticked.size(), out, error)) << error;
  ASSERT_TRUE(readClass(out).ok);
  std::vector<uint8_t> again;
  EXPECT_FALSE(addProgressHooks(out.data(), out.size(), again, error));
  const CommandResult java = runWithSystemClass(jdk, dir, out, "ProgressDriver", kProgressDriverSource);
  ASSERT_EQ(java.status, 0) << java.output;
  EXPECT_TRUE(hasLine(java.output, "retrace$progress private static native long")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "retrace$previousProgress private static native long")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "retrace$seek private static native boolean")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "retrace$reached private static void")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "reached returns")) << java.output;
  // Without the agent nothing binds the natives.
  EXPECT_TRUE(hasLine(java.output, "unbound UnsatisfiedLinkError")) << java.output;
  EXPECT_TRUE(hasLine(java.output, "ticks still there true")) << java.output;
  for (size_t len = 0; len < in.size(); len += 13) {
    std::vector<uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(addProgressHooks(cut.data(), cut.size(), out, error)) << "length " << len;
  }
}

INSTANTIATE_TEST_SUITE_P(Jdks, SystemClassTest, ::testing::Values(kJdk17, kJdk25),
                         [](const ::testing::TestParamInfo<Jdk>& info) { return std::string(info.param.label); });

// ---------------------------------------------------------------------------------------------
// End to end on a user class: javac, rewrite, run under -Xverify:all.

constexpr const char* kClockSource = R"J(
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

public class Clock {
  @Retention(RetentionPolicy.RUNTIME) @interface Tag { String value(); int[] n() default {}; }

  static native long now();
  @Tag(value = "x", n = {1, 2}) native int add(int a, long b, double c, Object o);
  private static native void all(boolean z, byte b, char c, short s, int i, long j, float f, double d,
                                 int[] ia, String str, long[][] la);
  protected native float f(float x, long y);
  synchronized native double d();
  public static native String s(Object o, double d, long l, int i);
  public native boolean z(byte b, char c);
  static native int[] arr(String[] a);
  native <T extends Comparable<T>> T gen(T t) throws java.io.IOException;

  static void report(String name, Throwable t) {
    if (!(t instanceof UnsatisfiedLinkError)) {
      System.out.println("UNEXPECTED " + name + " " + t);
      return;
    }
    StackTraceElement[] st = t.getStackTrace();
    System.out.println("ULE " + name + " " + st[0].getMethodName() + "<-" + st[1].getMethodName()
        + " msg=" + t.getMessage());
  }

  static class Sub extends Clock {
    // Same name and descriptor as the renamed native: must not be reached from Clock.add.
    int retrace$add(int a, long b, double c, Object o) { return 7; }
    @Override int add(int a, long b, double c, Object o) { return 42; }
    int superAdd() { return super.add(1, 2L, 3.0, null); }
  }

  public static void main(String[] args) throws Exception {
    Clock c = new Clock();
    try { now(); System.out.println("NOERR now"); } catch (Throwable t) { report("now", t); }
    try { c.add(1, 2L, 3.0, "o"); System.out.println("NOERR add"); } catch (Throwable t) { report("add", t); }
    try {
      all(true, (byte) 1, 'c', (short) 2, 3, 4L, 5f, 6.0, new int[1], "s", new long[1][1]);
      System.out.println("NOERR all");
    } catch (Throwable t) { report("all", t); }
    try { c.f(1f, 2L); System.out.println("NOERR f"); } catch (Throwable t) { report("f", t); }
    try { c.d(); System.out.println("NOERR d"); } catch (Throwable t) { report("d", t); }
    try { s(c, 1.0, 2L, 3); System.out.println("NOERR s"); } catch (Throwable t) { report("s", t); }
    try { c.z((byte) 1, 'x'); System.out.println("NOERR z"); } catch (Throwable t) { report("z", t); }
    try { arr(new String[0]); System.out.println("NOERR arr"); } catch (Throwable t) { report("arr", t); }
    try { c.gen("x"); System.out.println("NOERR gen"); } catch (Throwable t) { report("gen", t); }

    Sub sub = new Sub();
    System.out.println("virtual " + ((Clock) sub).add(1, 2L, 3.0, null));
    try { sub.superAdd(); System.out.println("NOERR superAdd"); } catch (Throwable t) { report("superAdd", t); }

    Method add = Clock.class.getDeclaredMethod("add", int.class, long.class, double.class, Object.class);
    Method radd = Clock.class.getDeclaredMethod("retrace$add", int.class, long.class, double.class, Object.class);
    System.out.println("reflect add native=" + Modifier.isNative(add.getModifiers())
        + " tag=" + (add.getAnnotation(Tag.class) != null));
    System.out.println("reflect retrace$add native=" + Modifier.isNative(radd.getModifiers())
        + " private=" + Modifier.isPrivate(radd.getModifiers())
        + " tag=" + (radd.getAnnotation(Tag.class) != null));
    Method gen = Clock.class.getDeclaredMethod("gen", Comparable.class);
    System.out.println("reflect gen exceptions=" + gen.getExceptionTypes().length
        + " generic=" + gen.getGenericReturnType());
    Method now = Clock.class.getDeclaredMethod("now");
    System.out.println("reflect now static=" + Modifier.isStatic(now.getModifiers())
        + " native=" + Modifier.isNative(now.getModifiers()));
    System.out.println("done");
  }
}
)J";

const std::vector<NativeWrap> kClockNatives = {
    {"now", "()J"},
    {"add", "(IJDLjava/lang/Object;)I"},
    {"all", "(ZBCSIJFD[ILjava/lang/String;[[J)V"},
    {"f", "(FJ)F"},
    {"d", "()D"},
    {"s", "(Ljava/lang/Object;DJI)Ljava/lang/String;"},
    {"z", "(BC)Z"},
    {"arr", "([Ljava/lang/String;)[I"},
    {"gen", "(Ljava/lang/Comparable;)Ljava/lang/Comparable;"},
    {"missing", "()V"},
};

struct ClockCase {
  const char* label;
  Jdk compiler;
  const char* javacOptions;
  int expectedMajor;
  std::vector<Jdk> runtimes;
};

void PrintTo(const ClockCase& c, std::ostream* os) {
  *os << c.label;
}

class ClockEndToEndTest : public ::testing::TestWithParam<ClockCase> {};

TEST_P(ClockEndToEndTest, WrapperVerifiesAndCallsPrefixedNative) {
  const ClockCase& tc = GetParam();
  if (!jdkPresent(tc.compiler)) GTEST_SKIP() << tc.compiler.home << " not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_TRUE(writeFile(dir / "Clock.java", kClockSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac = run(bin(tc.compiler, "javac") + " " + tc.javacOptions + " -d " + quote(dir / "cls") +
                                  " " + quote(dir / "Clock.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;

  std::vector<uint8_t> in, out;
  ASSERT_TRUE(readFile(dir / "cls/Clock.class", in));
  ASSERT_GE(in.size(), 8u);
  EXPECT_EQ((in[6] << 8) | in[7], tc.expectedMajor);
  std::string error;
  ASSERT_TRUE(wrapNativeMethods(in.data(), in.size(), "retrace$", kClockNatives, out, error)) << error;
  EXPECT_EQ(error, "missing()V: method not found");
  ASSERT_TRUE(writeFile(dir / "cls/Clock.class", out));

  int ran = 0;
  for (const Jdk& runtime : tc.runtimes) {
    if (!jdkPresent(runtime)) continue;
    ++ran;
    SCOPED_TRACE(runtime.home);
    const CommandResult java = run(bin(runtime, "java") + " -Xverify:all -cp " + quote(dir / "cls") + " Clock");
    ASSERT_EQ(java.status, 0) << java.output;
    const std::string& o = java.output;
    EXPECT_FALSE(contains(o, "NOERR")) << o;
    EXPECT_FALSE(contains(o, "UNEXPECTED")) << o;
    EXPECT_FALSE(contains(o, "VerifyError")) << o;
    for (const char* name : {"now", "add", "all", "f", "d", "s", "z", "arr", "gen"}) {
      const std::string n = name;
      bool found = false;
      for (const std::string& l : lines(o)) {
        const std::string head = "ULE " + n + " retrace$" + n + "<-" + n + " msg=";
        if (l.compare(0, head.size(), head) == 0 && contains(l.substr(head.size()), "retrace$" + n)) found = true;
      }
      EXPECT_TRUE(found) << "no UnsatisfiedLinkError naming retrace$" << n << " thrown under " << n << ":\n" << o;
    }
    bool superAdd = false;
    for (const std::string& l : lines(o)) {
      superAdd |= l.rfind("ULE superAdd retrace$add<-add msg=", 0) == 0;
    }
    EXPECT_TRUE(superAdd) << o;
    EXPECT_TRUE(hasLine(o, "virtual 42")) << o;
    EXPECT_TRUE(hasLine(o, "reflect add native=false tag=false")) << o;
    EXPECT_TRUE(hasLine(o, "reflect retrace$add native=true private=true tag=true")) << o;
    EXPECT_TRUE(hasLine(o, "reflect gen exceptions=1 generic=T")) << o;
    EXPECT_TRUE(hasLine(o, "reflect now static=true native=false")) << o;
    EXPECT_TRUE(hasLine(o, "done")) << o;
  }
  if (ran == 0) GTEST_SKIP() << "no runtime JDK installed";
}

INSTANTIATE_TEST_SUITE_P(
    Jdks, ClockEndToEndTest,
    ::testing::Values(ClockCase{"Javac17Release8", kJdk17, "--release 8 -Xlint:-options", 52, {kJdk17, kJdk25}},
                      ClockCase{"Javac17", kJdk17, "", 61, {kJdk17, kJdk25}},
                      ClockCase{"Javac25", kJdk25, "", 69, {kJdk25}}),
    [](const ::testing::TestParamInfo<ClockCase>& info) { return std::string(info.param.label); });

// ---------------------------------------------------------------------------------------------
// zeroLongStaticCalls: the perf counters' clock readings become lconst_0 (system_class_rewrite.h).

// Every kind of instruction length around the calls: switches at both paddings, wide, long
// constants, branches over a call, a call in a loop, and a call that is not System.nanoTime.
constexpr const char* kPerfSource = R"(
public class Perf {
  static long nanoTime() { return 7; }
  static long sample(int k) {
    long t0 = System.nanoTime();
    int x = 0;
    switch (k) { case 1: x = 10; break; case 2: x = 20; break; case 3: x = 30; break; default: x = -1; }
    switch (k * 1000) { case 1000: x += 1; break; case 50000: x += 2; break; default: x += 3; }
    int[] big = new int[300];
    for (int i = 0; i < big.length; i++) big[i] = i;
    int w = big[299];
    w += 1000;
    long elapsed = System.nanoTime() - t0;
    if (k > 100) elapsed += System.nanoTime();
    return elapsed * 1000 + x + w + nanoTime() + System.currentTimeMillis() * 0 + 123456789012L * 0;
  }
  public static void main(String[] a) {
    long[] loop = new long[3];
    for (int i = 0; i < loop.length; i++) loop[i] = System.nanoTime();
    System.out.println("sample " + sample(2) + " loop " + loop[0] + loop[1] + loop[2]);
  }
}
)";

TEST(ZeroLongStaticCallsTest, RejectsWhatItCannotDo) {
  std::vector<uint8_t> out;
  std::string error;
  const std::vector<uint8_t> garbage = {0xCA, 0xFE, 0xBA, 0xBE, 0, 0};
  EXPECT_EQ(zeroLongStaticCalls(garbage.data(), garbage.size(), {"java/lang/System", "nanoTime", "()J"}, out, error),
            -1);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(zeroLongStaticCalls(garbage.data(), garbage.size(),
                                {"java/lang/System", "identityHashCode", "(Ljava/lang/Object;)I"}, out, error),
            -1);
  EXPECT_TRUE(contains(error, "()J")) << error;
}

class ZeroLongStaticCallsEndToEnd : public ::testing::TestWithParam<Jdk> {};

TEST_P(ZeroLongStaticCallsEndToEnd, CallsReadZeroAndTheClassStillVerifies) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_TRUE(writeFile(dir / "Perf.java", kPerfSource));
  ASSERT_EQ(run("mkdir -p " + quote(dir / "cls")).status, 0);
  const CommandResult javac = run(bin(jdk, "javac") + " -d " + quote(dir / "cls") + " " + quote(dir / "Perf.java"));
  ASSERT_EQ(javac.status, 0) << javac.output;
  // Unchanged, the program prints clock readings: sample is huge and the loop is not all zeros.
  const CommandResult before = run(bin(jdk, "java") + " -Xverify:all -cp " + quote(dir / "cls") + " Perf");
  ASSERT_EQ(before.status, 0) << before.output;
  EXPECT_FALSE(hasLine(before.output, "sample 1027 loop 000")) << before.output;

  std::vector<uint8_t> in, out;
  ASSERT_TRUE(readFile(dir / "cls/Perf.class", in));
  std::string error;
  EXPECT_EQ(zeroLongStaticCalls(in.data(), in.size(), {"java/lang/System", "nanoTime", "()J"}, out, error), 4) << error;
  EXPECT_EQ(out.size(), in.size());
  ASSERT_TRUE(writeFile(dir / "cls/Perf.class", out));
  // x = 20 + 3, w = 1299, Perf.nanoTime() = 7: 23 + 1299 + 7 = 1329, and the clock reads 0.
  const CommandResult after = run(bin(jdk, "java") + " -Xverify:all -cp " + quote(dir / "cls") + " Perf");
  ASSERT_EQ(after.status, 0) << after.output;
  EXPECT_TRUE(hasLine(after.output, "sample 1329 loop 000")) << after.output;
}

TEST_P(ZeroLongStaticCallsEndToEnd, RewritesEveryPerfClockClassOfTheJdk) {
  const Jdk jdk = GetParam();
  if (!jdkPresent(jdk)) GTEST_SKIP() << jdk.home << " not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const CommandResult extract =
      run(bin(jdk, "jimage") + " extract --dir " + quote(dir / "jimage") +
          " --include 'regex:.*java\\.base/.*\\.class' " + quote(std::string(jdk.home) + "/lib/modules"));
  ASSERT_EQ(extract.status, 0) << extract.output;
  for (const char* name : kPerfClockClasses) {
    SCOPED_TRACE(name);
    std::vector<uint8_t> in, out;
    ASSERT_TRUE(readFile(dir / (std::string("jimage/java.base/") + name + ".class"), in));
    std::string error;
    EXPECT_GT(zeroLongStaticCalls(in.data(), in.size(), {"java/lang/System", "nanoTime", "()J"}, out, error), 0)
        << error;
    const std::string path = dir / "out.class";
    ASSERT_TRUE(writeFile(path, out));
    const CommandResult javap = run(bin(jdk, "javap") + " -p -c " + quote(path));
    ASSERT_EQ(javap.status, 0) << javap.output;
    EXPECT_FALSE(contains(javap.output, "java/lang/System.nanoTime")) << javap.output;
  }
}

INSTANTIATE_TEST_SUITE_P(Jdks, ZeroLongStaticCallsEndToEnd, ::testing::Values(kJdk17, kJdk25),
                         [](const ::testing::TestParamInfo<Jdk>& info) { return std::string(info.param.label); });

// Reference.enqueueFromPending() of the installed JDKs calls the added native first; the class is
// otherwise unchanged (javap reads it), a second rewrite is refused, and so is a class without it.
TEST(NoteClearedReferencesTest, EnqueueFromPendingCallsTheNativeFirst) {
  for (const Jdk& jdk : {kJdk17, kJdk25}) {
    SCOPED_TRACE(jdk.label);
    if (!jdkPresent(jdk)) continue;
    TempDir dir;
    std::vector<uint8_t> in, out, again, system;
    std::string log, error;
    ASSERT_TRUE(extractJdkClass(jdk, dir, "java/lang/ref/Reference", in, log)) << log;
    ASSERT_TRUE(noteClearedReferences(in.data(), in.size(), out, error)) << error;
    ASSERT_TRUE(readClass(out).ok);
    const std::string path = dir / "Reference.class";
    ASSERT_TRUE(writeFile(path, out));
    const CommandResult javap = run(bin(jdk, "javap") + " -p -c " + quote(path));
    ASSERT_EQ(javap.status, 0) << javap.output;
    EXPECT_TRUE(contains(javap.output, "private static native void retrace$cleared(java.lang.ref.Reference);"))
        << javap.output;
    const std::string enqueue = javapMethodBlock(javap.output, "private void enqueueFromPending();");
    EXPECT_TRUE(contains(enqueue, "0: aload_0")) << enqueue;
    EXPECT_TRUE(contains(enqueue, "1: invokestatic") &&
                contains(enqueue, "// Method retrace$cleared:(Ljava/lang/ref/Reference;)V"))
        << enqueue;
    EXPECT_TRUE(contains(enqueue, "4: aload_0")) << enqueue;  // the original first instruction
    EXPECT_FALSE(noteClearedReferences(out.data(), out.size(), again, error));
    EXPECT_EQ(error, "the class already notes cleared references");
    ASSERT_TRUE(extractSystemClass(jdk, dir, system, log)) << log;
    EXPECT_FALSE(noteClearedReferences(system.data(), system.size(), again, error));
    EXPECT_EQ(error, "no enqueueFromPending()");
  }
}

// Finalizer's static initialiser of the installed JDKs calls VM.initLevel() first and drops its
// result; the rest moves along (javap reads it, and the JVM boots with it under -Xverify:all).
// A second rewrite is refused, and so are a class without a static initialiser and a call that
// would leave something else on the stack.
TEST(CallFirstInStaticInitializerTest, FinalizerInitialisesVmFirst) {
  const StaticCall initLevel{"jdk/internal/misc/VM", "initLevel", "()I"};
  for (const Jdk& jdk : {kJdk17, kJdk25}) {
    SCOPED_TRACE(jdk.label);
    if (!jdkPresent(jdk)) continue;
    TempDir dir;
    std::vector<uint8_t> in, out, again, object;
    std::string log, error;
    ASSERT_TRUE(extractJdkClass(jdk, dir, "java/lang/ref/Finalizer", in, log)) << log;
    ASSERT_TRUE(callFirstInStaticInitializer(in.data(), in.size(), initLevel, out, error)) << error;
    ASSERT_TRUE(readClass(out).ok);
    ASSERT_EQ(run("mkdir -p " + quote(dir / "patch/java/lang/ref")).status, 0);
    const std::string path = dir / "patch/java/lang/ref/Finalizer.class";
    ASSERT_TRUE(writeFile(path, out));
    const CommandResult javap = run(bin(jdk, "javap") + " -p -c " + quote(path));
    ASSERT_EQ(javap.status, 0) << javap.output;
    const std::string clinit = javapMethodBlock(javap.output, "static {};");
    EXPECT_TRUE(contains(clinit, "0: invokestatic") && contains(clinit, "// Method jdk/internal/misc/VM.initLevel:()I"))
        << clinit;
    EXPECT_TRUE(contains(clinit, "3: pop")) << clinit;
    EXPECT_TRUE(contains(clinit, "4: ldc")) << clinit;  // the original first instruction
    const CommandResult java = run(bin(jdk, "java") + " --patch-module java.base=" + quote(dir / "patch") +
                                   " -Xshare:off -Xverify:all -version");
    EXPECT_EQ(java.status, 0) << java.output;
    EXPECT_FALSE(callFirstInStaticInitializer(out.data(), out.size(), initLevel, again, error));
    EXPECT_EQ(error, "no static initialiser, or it calls initLevel first already");
    EXPECT_FALSE(callFirstInStaticInitializer(
        in.data(), in.size(), {"jdk/internal/misc/VM", "getSavedProperty", "(Ljava/lang/String;)Ljava/lang/String;"},
        again, error));
    ASSERT_TRUE(extractJdkClass(jdk, dir, "java/lang/Object", object, log)) << log;
    EXPECT_FALSE(callFirstInStaticInitializer(object.data(), object.size(), initLevel, again, error));
    for (size_t len = 0; len < in.size(); len += 13) {
      std::vector<uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
      EXPECT_FALSE(callFirstInStaticInitializer(cut.data(), cut.size(), initLevel, again, error)) << "length " << len;
    }
  }
}

}  // namespace
}  // namespace retrace::agent
