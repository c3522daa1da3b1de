#include "classfile_rewriter.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>
#include <utility>

namespace retrace::agent {
namespace {

// Class file constants (JVMS chapter 4).
constexpr uint32_t kMagic = 0xCAFEBABEu;
constexpr uint16_t kMinMajorVersion = 45;  // JDK 1.1
constexpr uint16_t kMaxMajorVersion = 69;  // JDK 25

constexpr uint8_t kTagUtf8 = 1;
constexpr uint8_t kTagInteger = 3;
constexpr uint8_t kTagFloat = 4;
constexpr uint8_t kTagLong = 5;
constexpr uint8_t kTagDouble = 6;
constexpr uint8_t kTagClass = 7;
constexpr uint8_t kTagString = 8;
constexpr uint8_t kTagFieldref = 9;
constexpr uint8_t kTagMethodref = 10;
constexpr uint8_t kTagInterfaceMethodref = 11;
constexpr uint8_t kTagNameAndType = 12;
constexpr uint8_t kTagMethodHandle = 15;
constexpr uint8_t kTagMethodType = 16;
constexpr uint8_t kTagDynamic = 17;
constexpr uint8_t kTagInvokeDynamic = 18;
constexpr uint8_t kTagModule = 19;
constexpr uint8_t kTagPackage = 20;

constexpr uint16_t kAccPublic = 0x0001;
constexpr uint16_t kAccPrivate = 0x0002;
constexpr uint16_t kAccProtected = 0x0004;
constexpr uint16_t kAccStatic = 0x0008;
constexpr uint16_t kAccNative = 0x0100;
constexpr uint16_t kAccInterface = 0x0200;

constexpr uint8_t kOpIload = 0x15, kOpLload = 0x16, kOpFload = 0x17, kOpDload = 0x18, kOpAload = 0x19;
constexpr uint8_t kOpIload0 = 0x1a, kOpLload0 = 0x1e, kOpFload0 = 0x22, kOpDload0 = 0x26, kOpAload0 = 0x2a;
constexpr uint8_t kOpIreturn = 0xac, kOpLreturn = 0xad, kOpFreturn = 0xae, kOpDreturn = 0xaf, kOpAreturn = 0xb0,
                  kOpReturn = 0xb1;
constexpr uint8_t kOpInvokespecial = 0xb7, kOpInvokestatic = 0xb8;
constexpr uint8_t kOpNop = 0x00, kOpLconst0 = 0x09, kOpPop = 0x57;

constexpr size_t kMaxU2 = 0xFFFF;
constexpr unsigned kMaxArgSlots = 255;  // JVMS 4.3.3, including `this`

// Bounds-checked big-endian reader. Every accessor returns false instead of reading past the end.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t pos() const { return pos_; }
  bool atEnd() const { return pos_ == size_; }

  bool u1(uint8_t& v) {
    if (size_ - pos_ < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u2(uint16_t& v) {
    if (size_ - pos_ < 2) return false;
    v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u4(uint32_t& v) {
    if (size_ - pos_ < 4) return false;
    v = (static_cast<uint32_t>(data_[pos_]) << 24) | (static_cast<uint32_t>(data_[pos_ + 1]) << 16) |
        (static_cast<uint32_t>(data_[pos_ + 2]) << 8) | static_cast<uint32_t>(data_[pos_ + 3]);
    pos_ += 4;
    return true;
  }
  bool skip(size_t n) {
    if (size_ - pos_ < n) return false;
    pos_ += n;
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct CpEntry {
  uint8_t tag = 0;    // 0 for the unusable slot after a Long/Double and for index 0
  size_t offset = 0;  // offset of the byte following the tag
};

struct AttributeInfo {
  uint16_t nameIndex = 0;
  size_t start = 0;  // offset of attribute_name_index
  size_t end = 0;    // one past the attribute's last byte
};

struct MethodInfo {
  size_t start = 0;  // offset of access_flags
  size_t end = 0;    // one past the method_info's last byte
  uint16_t flags = 0;
  uint16_t nameIndex = 0;
  uint16_t descriptorIndex = 0;
  std::vector<AttributeInfo> attributes;
};

struct ParsedClass {
  uint16_t major = 0;
  size_t cpCountOffset = 0;
  size_t cpEnd = 0;  // offset of access_flags (first byte after the constant pool)
  std::vector<CpEntry> cp;
  uint16_t accessFlags = 0;
  uint16_t thisClass = 0;
  size_t fieldsCountOffset = 0;
  size_t methodsCountOffset = 0;
  size_t methodsEnd = 0;  // offset of the class attributes_count
  std::vector<MethodInfo> methods;
};

class ClassView {
 public:
  ClassView(const uint8_t* data, const ParsedClass& pc) : data_(data), pc_(pc) {}

  bool isUtf8(uint16_t index) const { return index < pc_.cp.size() && pc_.cp[index].tag == kTagUtf8; }

  // Pointer/length of a Utf8 entry. Caller must have checked isUtf8 (parse() checked the bytes).
  void utf8(uint16_t index, const uint8_t*& bytes, uint16_t& len) const {
    const size_t off = pc_.cp[index].offset;
    len = static_cast<uint16_t>((data_[off] << 8) | data_[off + 1]);
    bytes = data_ + off + 2;
  }

  bool utf8Equals(uint16_t index, const std::string& s) const {
    if (!isUtf8(index)) return false;
    const uint8_t* bytes;
    uint16_t len;
    utf8(index, bytes, len);
    return len == s.size() && (len == 0 || std::memcmp(bytes, s.data(), len) == 0);
  }

  std::string utf8String(uint16_t index) const {
    if (!isUtf8(index)) return std::string();
    const uint8_t* bytes;
    uint16_t len;
    utf8(index, bytes, len);
    return std::string(reinterpret_cast<const char*>(bytes), len);
  }

  // Index of an existing Utf8 entry with exactly these bytes, or 0.
  uint16_t findUtf8(const std::string& s) const {
    for (size_t i = 1; i < pc_.cp.size(); ++i) {
      if (utf8Equals(static_cast<uint16_t>(i), s)) return static_cast<uint16_t>(i);
    }
    return 0;
  }

 private:
  const uint8_t* data_;
  const ParsedClass& pc_;
};

bool parseAttributes(Reader& r, std::vector<AttributeInfo>* out) {
  uint16_t count;
  if (!r.u2(count)) return false;
  for (uint16_t i = 0; i < count; ++i) {
    AttributeInfo a;
    a.start = r.pos();
    uint32_t len;
    if (!r.u2(a.nameIndex) || !r.u4(len) || !r.skip(len)) return false;
    a.end = r.pos();
    if (out) out->push_back(a);
  }
  return true;
}

bool parseClass(const uint8_t* data, size_t size, ParsedClass& pc, std::string& error) {
  Reader r(data, size);
  uint32_t magic;
  uint16_t minor, cpCount;
  if (!r.u4(magic) || magic != kMagic) {
    error = "not a class file (bad magic)";
    return false;
  }
  if (!r.u2(minor) || !r.u2(pc.major)) {
    error = "truncated class file header";
    return false;
  }
  if (pc.major < kMinMajorVersion || pc.major > kMaxMajorVersion) {
    error = "unsupported class file major version " + std::to_string(pc.major);
    return false;
  }
  pc.cpCountOffset = r.pos();
  if (!r.u2(cpCount) || cpCount == 0) {
    error = "truncated or empty constant pool";
    return false;
  }
  pc.cp.assign(cpCount, CpEntry{});
  for (uint32_t i = 1; i < cpCount; ++i) {
    uint8_t tag;
    if (!r.u1(tag)) {
      error = "truncated constant pool at entry " + std::to_string(i);
      return false;
    }
    pc.cp[i].tag = tag;
    pc.cp[i].offset = r.pos();
    size_t skip = 0;
    switch (tag) {
      case kTagUtf8: {
        uint16_t len;
        if (!r.u2(len)) {
          error = "truncated Utf8 constant at entry " + std::to_string(i);
          return false;
        }
        skip = len;
        break;
      }
      case kTagInteger:
      case kTagFloat:
      case kTagFieldref:
      case kTagMethodref:
      case kTagInterfaceMethodref:
      case kTagNameAndType:
      case kTagDynamic:
      case kTagInvokeDynamic:
        skip = 4;
        break;
      case kTagLong:
      case kTagDouble:
        skip = 8;
        break;
      case kTagClass:
      case kTagString:
      case kTagMethodType:
      case kTagModule:
      case kTagPackage:
        skip = 2;
        break;
      case kTagMethodHandle:
        skip = 3;
        break;
      default:
        error = "unknown constant pool tag " + std::to_string(tag) + " at entry " + std::to_string(i);
        return false;
    }
    if (!r.skip(skip)) {
      error = "truncated constant pool at entry " + std::to_string(i);
      return false;
    }
    if (tag == kTagLong || tag == kTagDouble) {
      // Takes two slots; the second one is unusable.
      ++i;
      if (i >= cpCount) {
        error = "Long/Double constant occupies the last constant pool slot";
        return false;
      }
    }
  }
  pc.cpEnd = r.pos();

  uint16_t superClass, interfacesCount;
  if (!r.u2(pc.accessFlags) || !r.u2(pc.thisClass) || !r.u2(superClass) || !r.u2(interfacesCount) ||
      !r.skip(size_t{interfacesCount} * 2)) {
    error = "truncated class header after constant pool";
    return false;
  }
  if (pc.thisClass >= cpCount || pc.cp[pc.thisClass].tag != kTagClass) {
    error = "this_class is not a Class constant";
    return false;
  }

  pc.fieldsCountOffset = r.pos();
  uint16_t fieldsCount;
  if (!r.u2(fieldsCount)) {
    error = "truncated fields_count";
    return false;
  }
  for (uint16_t i = 0; i < fieldsCount; ++i) {
    if (!r.skip(6) || !parseAttributes(r, nullptr)) {
      error = "truncated field " + std::to_string(i);
      return false;
    }
  }

  pc.methodsCountOffset = r.pos();
  uint16_t methodsCount;
  if (!r.u2(methodsCount)) {
    error = "truncated methods_count";
    return false;
  }
  pc.methods.reserve(methodsCount);
  for (uint16_t i = 0; i < methodsCount; ++i) {
    MethodInfo m;
    m.start = r.pos();
    if (!r.u2(m.flags) || !r.u2(m.nameIndex) || !r.u2(m.descriptorIndex) || !parseAttributes(r, &m.attributes)) {
      error = "truncated method " + std::to_string(i);
      return false;
    }
    m.end = r.pos();
    pc.methods.push_back(std::move(m));
  }
  pc.methodsEnd = r.pos();

  if (!parseAttributes(r, nullptr)) {
    error = "truncated class attributes";
    return false;
  }
  if (!r.atEnd()) {
    error = "trailing bytes after class attributes";
    return false;
  }
  return true;
}

// Kinds of values for load/return opcodes: I (int-like), J, F, D, A (reference), V (void).
bool parseFieldType(const std::string& d, size_t& i, char& kind) {
  size_t dims = 0;
  while (i < d.size() && d[i] == '[') {
    ++dims;
    ++i;
  }
  if (dims > 255 || i >= d.size()) return false;
  const char c = d[i];
  switch (c) {
    case 'B':
    case 'C':
    case 'S':
    case 'Z':
    case 'I':
      kind = 'I';
      ++i;
      break;
    case 'J':
    case 'F':
    case 'D':
      kind = c;
      ++i;
      break;
    case 'L': {
      const size_t semi = d.find(';', i + 1);
      if (semi == std::string::npos || semi == i + 1) return false;
      kind = 'A';
      i = semi + 1;
      break;
    }
    default:
      return false;
  }
  if (dims > 0) kind = 'A';
  return true;
}

bool parseMethodDescriptor(const std::string& d, std::vector<char>& params, char& ret) {
  params.clear();
  if (d.empty() || d[0] != '(') return false;
  size_t i = 1;
  while (i < d.size() && d[i] != ')') {
    char kind;
    if (!parseFieldType(d, i, kind)) return false;
    params.push_back(kind);
  }
  if (i >= d.size()) return false;  // no ')'
  ++i;
  if (i < d.size() && d[i] == 'V') {
    ret = 'V';
    ++i;
  } else if (!parseFieldType(d, i, ret)) {
    return false;
  }
  return i == d.size();
}

unsigned slotsOf(char kind) {
  return (kind == 'J' || kind == 'D') ? 2 : (kind == 'V' ? 0 : 1);
}

void putU1(std::vector<uint8_t>& v, uint8_t x) {
  v.push_back(x);
}
void putU2(std::vector<uint8_t>& v, size_t x) {
  v.push_back(static_cast<uint8_t>((x >> 8) & 0xFF));
  v.push_back(static_cast<uint8_t>(x & 0xFF));
}
void putU4(std::vector<uint8_t>& v, size_t x) {
  v.push_back(static_cast<uint8_t>((x >> 24) & 0xFF));
  v.push_back(static_cast<uint8_t>((x >> 16) & 0xFF));
  v.push_back(static_cast<uint8_t>((x >> 8) & 0xFF));
  v.push_back(static_cast<uint8_t>(x & 0xFF));
}
void setU2(std::vector<uint8_t>& v, size_t at, size_t x) {
  v[at] = static_cast<uint8_t>((x >> 8) & 0xFF);
  v[at + 1] = static_cast<uint8_t>(x & 0xFF);
}

// Appends the load instruction for local `slot` of the given kind.
void emitLoad(std::vector<uint8_t>& code, char kind, unsigned slot) {
  uint8_t shortBase, longOp;
  switch (kind) {
    case 'I':
      shortBase = kOpIload0;
      longOp = kOpIload;
      break;
    case 'J':
      shortBase = kOpLload0;
      longOp = kOpLload;
      break;
    case 'F':
      shortBase = kOpFload0;
      longOp = kOpFload;
      break;
    case 'D':
      shortBase = kOpDload0;
      longOp = kOpDload;
      break;
    default:
      shortBase = kOpAload0;
      longOp = kOpAload;
      break;
  }
  if (slot <= 3) {
    code.push_back(static_cast<uint8_t>(shortBase + slot));
  } else {
    // slot <= 255 is guaranteed by the kMaxArgSlots check, so no `wide` prefix is needed.
    code.push_back(longOp);
    code.push_back(static_cast<uint8_t>(slot));
  }
}

uint8_t returnOpcode(char kind) {
  switch (kind) {
    case 'I':
      return kOpIreturn;
    case 'J':
      return kOpLreturn;
    case 'F':
      return kOpFreturn;
    case 'D':
      return kOpDreturn;
    case 'A':
      return kOpAreturn;
    default:
      return kOpReturn;
  }
}

// Annotation types HotSpot treats as "intrinsic candidate" (JDK 16+ and JDK 9..15 spelling).
bool isIntrinsicCandidateType(const ClassView& view, uint16_t typeIndex) {
  return view.utf8Equals(typeIndex, "Ljdk/internal/vm/annotation/IntrinsicCandidate;") ||
         view.utf8Equals(typeIndex, "Ljdk/internal/HotSpotIntrinsicCandidate;");
}

constexpr int kMaxAnnotationDepth = 32;

bool skipAnnotation(Reader& r, int depth);

bool skipElementValue(Reader& r, int depth) {
  if (depth > kMaxAnnotationDepth) return false;
  uint8_t tag;
  if (!r.u1(tag)) return false;
  switch (tag) {
    case 'B':
    case 'C':
    case 'D':
    case 'F':
    case 'I':
    case 'J':
    case 'S':
    case 'Z':
    case 's':
    case 'c':
      return r.skip(2);
    case 'e':
      return r.skip(4);
    case '@':
      return skipAnnotation(r, depth + 1);
    case '[': {
      uint16_t n;
      if (!r.u2(n)) return false;
      for (uint16_t i = 0; i < n; ++i) {
        if (!skipElementValue(r, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool skipAnnotation(Reader& r, int depth) {
  if (depth > kMaxAnnotationDepth) return false;
  uint16_t type, pairs;
  if (!r.u2(type) || !r.u2(pairs)) return false;
  for (uint16_t i = 0; i < pairs; ++i) {
    if (!r.skip(2) || !skipElementValue(r, depth + 1)) return false;
  }
  return true;
}

// Appends attribute `a` to `out`, minus any @IntrinsicCandidate annotation if it is a
// RuntimeVisibleAnnotations attribute. Returns false (appending nothing) when the attribute ends
// up empty and should be dropped. Unparseable annotation data is copied unchanged.
bool appendAttributeWithoutIntrinsicCandidate(const uint8_t* data, const AttributeInfo& a, const ClassView& view,
                                              std::vector<uint8_t>& out) {
  auto copyAsIs = [&] {
    out.insert(out.end(), data + a.start, data + a.end);
    return true;
  };
  if (!view.utf8Equals(a.nameIndex, "RuntimeVisibleAnnotations")) return copyAsIs();
  const size_t bodyStart = a.start + 6;
  Reader r(data + bodyStart, a.end - bodyStart);
  uint16_t count;
  if (!r.u2(count)) return copyAsIs();
  struct Range {
    size_t start, end;
  };
  std::vector<Range> kept;
  bool removed = false;
  for (uint16_t i = 0; i < count; ++i) {
    const size_t start = r.pos();
    Reader peek = r;
    uint16_t type;
    if (!peek.u2(type) || !skipAnnotation(r, 0)) return copyAsIs();
    if (isIntrinsicCandidateType(view, type)) {
      removed = true;
    } else {
      kept.push_back({start, r.pos()});
    }
  }
  if (!r.atEnd()) return copyAsIs();
  if (!removed) return copyAsIs();
  if (kept.empty()) return false;
  size_t bodyLen = 2;
  for (const Range& k : kept) bodyLen += k.end - k.start;
  putU2(out, a.nameIndex);
  putU4(out, bodyLen);
  putU2(out, kept.size());
  for (const Range& k : kept) {
    out.insert(out.end(), data + bodyStart + k.start, data + bodyStart + k.end);
  }
  return true;
}

// One method to rewrite, with everything needed to emit it.
struct Plan {
  size_t methodIdx = 0;
  std::string prefixedName;
  std::vector<char> params;
  char ret = 'V';
  uint16_t prefixedNameIndex = 0;  // filled when the constant pool is extended
  uint16_t methodrefIndex = 0;
};

}  // namespace

bool wrapNativeMethods(const uint8_t* classBytes, size_t length, const std::string& prefix,
                       const std::vector<NativeWrap>& methods, std::vector<uint8_t>& out, std::string& error) {
  out.clear();
  error.clear();
  if (classBytes == nullptr) {
    error = "no class bytes";
    return false;
  }
  if (prefix.empty()) {
    error = "empty native method prefix";
    return false;
  }

  ParsedClass pc;
  if (!parseClass(classBytes, length, pc, error)) return false;
  if (pc.accessFlags & kAccInterface) {
    error = "interfaces cannot declare native methods";
    return false;
  }
  const ClassView view(classBytes, pc);

  // Decide what to rewrite.
  std::vector<Plan> plans;
  std::string skipped;
  auto noteSkip = [&skipped](const NativeWrap& w, const char* why) {
    if (!skipped.empty()) skipped += "; ";
    skipped += w.name + w.descriptor + ": " + why;
  };
  for (const NativeWrap& w : methods) {
    const std::string prefixed = prefix + w.name;
    if (prefixed.size() > kMaxU2) {
      noteSkip(w, "prefixed name too long");
      continue;
    }
    size_t found = pc.methods.size();
    bool prefixedExists = false;
    for (size_t i = 0; i < pc.methods.size(); ++i) {
      const MethodInfo& m = pc.methods[i];
      if (!view.utf8Equals(m.descriptorIndex, w.descriptor)) continue;
      if (view.utf8Equals(m.nameIndex, w.name)) found = i;
      if (view.utf8Equals(m.nameIndex, prefixed)) prefixedExists = true;
    }
    if (found == pc.methods.size()) {
      noteSkip(w, "method not found");
      continue;
    }
    if (!(pc.methods[found].flags & kAccNative)) {
      noteSkip(w, "method is not native");
      continue;
    }
    if (prefixedExists) {
      noteSkip(w, "prefixed method already exists");
      continue;
    }
    bool duplicate = false;
    for (const Plan& p : plans) duplicate |= p.methodIdx == found;
    if (duplicate) continue;  // listed twice

    Plan p;
    p.methodIdx = found;
    p.prefixedName = prefixed;
    if (!parseMethodDescriptor(w.descriptor, p.params, p.ret)) {
      noteSkip(w, "malformed method descriptor");
      continue;
    }
    unsigned slots = (pc.methods[found].flags & kAccStatic) ? 0 : 1;
    for (char k : p.params) slots += slotsOf(k);
    if (slots > kMaxArgSlots) {
      noteSkip(w, "too many argument slots");
      continue;
    }
    plans.push_back(std::move(p));
  }
  if (plans.empty()) {
    error = skipped.empty() ? "no methods to rewrite" : "nothing rewritten: " + skipped;
    return false;
  }

  // Constant pool additions (appended; existing indices stay valid).
  std::vector<uint8_t> cpAdd;
  size_t nextIndex = pc.cp.size();
  auto addUtf8 = [&](const std::string& s) {
    putU1(cpAdd, kTagUtf8);
    putU2(cpAdd, s.size());
    cpAdd.insert(cpAdd.end(), s.begin(), s.end());
    return nextIndex++;
  };
  uint16_t codeIndex = view.findUtf8("Code");
  if (codeIndex == 0) codeIndex = static_cast<uint16_t>(addUtf8("Code"));
  for (Plan& p : plans) {
    const MethodInfo& m = pc.methods[p.methodIdx];
    size_t nameIdx = view.findUtf8(p.prefixedName);
    if (nameIdx == 0) nameIdx = addUtf8(p.prefixedName);
    const size_t natIdx = nextIndex++;
    putU1(cpAdd, kTagNameAndType);
    putU2(cpAdd, nameIdx);
    putU2(cpAdd, m.descriptorIndex);
    const size_t refIdx = nextIndex++;
    putU1(cpAdd, kTagMethodref);
    putU2(cpAdd, pc.thisClass);
    putU2(cpAdd, natIdx);
    if (nextIndex > kMaxU2) break;  // reported below
    p.prefixedNameIndex = static_cast<uint16_t>(nameIdx);
    p.methodrefIndex = static_cast<uint16_t>(refIdx);
  }
  if (nextIndex > kMaxU2) {
    error = "constant pool would overflow";
    return false;
  }
  if (pc.methods.size() + plans.size() > kMaxU2) {
    error = "too many methods";
    return false;
  }

  // Wrapper methods.
  std::vector<uint8_t> newMethods;
  for (const Plan& p : plans) {
    const MethodInfo& m = pc.methods[p.methodIdx];
    const bool isStatic = (m.flags & kAccStatic) != 0;
    std::vector<uint8_t> code;
    unsigned slot = 0;
    if (!isStatic) emitLoad(code, 'A', slot++);
    for (char k : p.params) {
      emitLoad(code, k, slot);
      slot += slotsOf(k);
    }
    code.push_back(isStatic ? kOpInvokestatic : kOpInvokespecial);
    putU2(code, p.methodrefIndex);
    code.push_back(returnOpcode(p.ret));
    const unsigned maxLocals = slot;
    const unsigned maxStack = maxLocals > slotsOf(p.ret) ? maxLocals : slotsOf(p.ret);

    // Attributes kept for reflection: Exceptions, Signature, MethodParameters.
    std::vector<const AttributeInfo*> kept;
    for (const AttributeInfo& a : m.attributes) {
      if (view.utf8Equals(a.nameIndex, "Exceptions") || view.utf8Equals(a.nameIndex, "Signature") ||
          view.utf8Equals(a.nameIndex, "MethodParameters")) {
        kept.push_back(&a);
      }
    }

    putU2(newMethods, m.flags & ~kAccNative);
    putU2(newMethods, m.nameIndex);
    putU2(newMethods, m.descriptorIndex);
    putU2(newMethods, 1 + kept.size());
    putU2(newMethods, codeIndex);
    putU4(newMethods, 12 + code.size());
    putU2(newMethods, maxStack);
    putU2(newMethods, maxLocals);
    putU4(newMethods, code.size());
    newMethods.insert(newMethods.end(), code.begin(), code.end());
    putU2(newMethods, 0);  // exception_table_length
    putU2(newMethods, 0);  // attributes_count
    for (const AttributeInfo* a : kept) {
      newMethods.insert(newMethods.end(), classBytes + a->start, classBytes + a->end);
    }
  }

  // Assemble: header | cp + additions | access_flags..fields | methods (renamed natives rebuilt)
  // | wrapper methods | class attributes.
  out.reserve(length + cpAdd.size() + newMethods.size());
  out.insert(out.end(), classBytes, classBytes + pc.cpCountOffset);
  putU2(out, nextIndex);
  out.insert(out.end(), classBytes + pc.cpCountOffset + 2, classBytes + pc.cpEnd);
  out.insert(out.end(), cpAdd.begin(), cpAdd.end());
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.methodsCountOffset);
  putU2(out, pc.methods.size() + plans.size());
  for (size_t i = 0; i < pc.methods.size(); ++i) {
    const MethodInfo& m = pc.methods[i];
    const Plan* plan = nullptr;
    for (const Plan& p : plans) {
      if (p.methodIdx == i) plan = &p;
    }
    if (plan == nullptr) {
      out.insert(out.end(), classBytes + m.start, classBytes + m.end);
      continue;
    }
    uint16_t flags = m.flags;
    if (!(flags & kAccStatic)) {
      flags = static_cast<uint16_t>((flags & ~(kAccPublic | kAccProtected)) | kAccPrivate);
    }
    putU2(out, flags);
    putU2(out, plan->prefixedNameIndex);
    putU2(out, m.descriptorIndex);
    const size_t countAt = out.size();
    putU2(out, 0);
    size_t attrCount = 0;
    for (const AttributeInfo& a : m.attributes) {
      if (appendAttributeWithoutIntrinsicCandidate(classBytes, a, view, out)) ++attrCount;
    }
    setU2(out, countAt, attrCount);
  }
  out.insert(out.end(), newMethods.begin(), newMethods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);

  error = skipped;
  return true;
}

namespace {

// The length of the instruction at `pc` of a method's code, or 0 when it is malformed (JVMS 6.5).
size_t instructionLength(const uint8_t* code, size_t codeLength, size_t pc) {
  const uint8_t op = code[pc];
  auto u4At = [&](size_t at, uint32_t& v) {
    if (at + 4 > codeLength) return false;
    v = (uint32_t{code[at]} << 24) | (uint32_t{code[at + 1]} << 16) | (uint32_t{code[at + 2]} << 8) | code[at + 3];
    return true;
  };
  if (op >= 0x99 && op <= 0xa8) return 3;  // if<cond>, if_icmp<cond>, if_acmp<cond>, goto, jsr
  switch (op) {
    case 0x10:
    case 0x12:
    case 0x15:
    case 0x16:
    case 0x17:
    case 0x18:
    case 0x19:  // bipush ldc xload
    case 0x36:
    case 0x37:
    case 0x38:
    case 0x39:
    case 0x3a:
    case 0xa9:
    case 0xbc:  // xstore ret newarray
      return 2;
    case 0x11:
    case 0x13:
    case 0x14:
    case 0x84:
    case 0xb2:
    case 0xb3:
    case 0xb4:
    case 0xb5:
    case 0xb6:
    case 0xb7:
    case 0xb8:
    case 0xbb:
    case 0xbd:
    case 0xc0:
    case 0xc1:
    case 0xc6:
    case 0xc7:
      return 3;
    case 0xc5:  // multianewarray
      return 4;
    case 0xb9:
    case 0xba:
    case 0xc8:
    case 0xc9:  // invokeinterface invokedynamic goto_w jsr_w
      return 5;
    case 0xc4:  // wide
      if (pc + 1 >= codeLength) return 0;
      return code[pc + 1] == 0x84 ? 6 : 4;
    case 0xaa: {  // tableswitch: padding to a multiple of 4, default, low, high, jump offsets
      size_t at = (pc + 4) & ~size_t{3};
      uint32_t low, high;
      if (!u4At(at + 4, low) || !u4At(at + 8, high)) return 0;
      auto count = static_cast<int64_t>(static_cast<int32_t>(high)) - static_cast<int32_t>(low) + 1;
      if (count < 0 || count > 0xFFFF) return 0;
      return at + 12 + static_cast<size_t>(count) * 4 - pc;
    }
    case 0xab: {  // lookupswitch: padding, default, npairs, pairs
      size_t at = (pc + 4) & ~size_t{3};
      uint32_t pairs;
      if (!u4At(at + 4, pairs) || pairs > 0xFFFF) return 0;
      return at + 8 + size_t{pairs} * 8 - pc;
    }
    default:
      return op <= 0xc9 ? 1 : 0;
  }
}

// True when constant `index` is a Methodref to owner.name descriptor.
bool isMethodref(const uint8_t* data, const ParsedClass& pc, const ClassView& view, uint16_t index,
                 const StaticCall& call) {
  if (index == 0 || index >= pc.cp.size() || pc.cp[index].tag != kTagMethodref) return false;
  auto u2At = [&](size_t at) { return static_cast<uint16_t>((data[at] << 8) | data[at + 1]); };
  const size_t ref = pc.cp[index].offset;
  uint16_t classIndex = u2At(ref), natIndex = u2At(ref + 2);
  if (classIndex >= pc.cp.size() || pc.cp[classIndex].tag != kTagClass) return false;
  if (natIndex >= pc.cp.size() || pc.cp[natIndex].tag != kTagNameAndType) return false;
  const size_t nat = pc.cp[natIndex].offset;
  return view.utf8Equals(u2At(pc.cp[classIndex].offset), call.owner) && view.utf8Equals(u2At(nat), call.name) &&
         view.utf8Equals(u2At(nat + 2), call.descriptor);
}

}  // namespace

int zeroLongStaticCalls(const uint8_t* classBytes, size_t length, const StaticCall& call, std::vector<uint8_t>& out,
                        std::string& error) {
  out.clear();
  error.clear();
  if (classBytes == nullptr) {
    error = "no class bytes";
    return -1;
  }
  if (call.descriptor != "()J") {
    error = "only a call of descriptor ()J can be replaced by lconst_0";
    return -1;
  }
  ParsedClass pc;
  if (!parseClass(classBytes, length, pc, error)) return -1;
  const ClassView view(classBytes, pc);
  out.assign(classBytes, classBytes + length);
  int replaced = 0;
  for (const MethodInfo& m : pc.methods) {
    for (const AttributeInfo& a : m.attributes) {
      if (!view.utf8Equals(a.nameIndex, "Code")) continue;
      // attribute_name_index u2, attribute_length u4, max_stack u2, max_locals u2, code_length u4
      if (a.end - a.start < 14) {
        error = "malformed Code attribute";
        return -1;
      }
      Reader r(classBytes + a.start + 10, a.end - a.start - 10);
      uint32_t codeLength;
      if (!r.u4(codeLength) || codeLength > a.end - a.start - 14) {
        error = "malformed Code attribute";
        return -1;
      }
      const size_t codeStart = a.start + 14;
      const uint8_t* code = classBytes + codeStart;
      for (size_t at = 0; at < codeLength;) {
        size_t step = instructionLength(code, codeLength, at);
        if (step == 0 || at + step > codeLength) {
          error = "malformed bytecode at offset " + std::to_string(at);
          return -1;
        }
        if (code[at] == kOpInvokestatic &&
            isMethodref(classBytes, pc, view, static_cast<uint16_t>((code[at + 1] << 8) | code[at + 2]), call)) {
          // Same length and stack effect (pushes a long, pops nothing): offsets, branch targets and
          // the StackMapTable stay valid.
          out[codeStart + at] = kOpLconst0;
          out[codeStart + at + 1] = kOpNop;
          out[codeStart + at + 2] = kOpNop;
          ++replaced;
        }
        at += step;
      }
    }
  }
  return replaced;
}

namespace {

constexpr uint8_t kOpGetstatic = 0xb2, kOpPutstatic = 0xb3, kOpIfAcmpne = 0xa6, kOpIflt = 0x9b;
constexpr uint8_t kOpLconst1 = 0x0a, kOpLadd = 0x61, kOpDup2 = 0x5c, kOpLcmp = 0x94, kOpPop2 = 0x58;
constexpr uint16_t kAccSynthetic = 0x1000;
constexpr uint16_t kAccVolatile = 0x0040;
constexpr uint8_t kOpAload1 = 0x2b, kOpPutfield = 0xb5;

uint16_t u2At(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

enum class CodeEdit { kChanged, kSkipped, kMalformed };

constexpr size_t kTickLength = 4;  // invokestatic #tick; nop

// Where the code of one method moves when a prologue goes in front of it and a 4-byte tick in
// front of some of its instructions (`ticked`: their old offsets, sorted). Every old offset x has
// two new ones:
//  - start(x): where the code at x begins, its own tick included. What jumps to x or begins or
//    ends at x uses it: branch targets, exception handlers and range ends, StackMapTable frames,
//    line numbers, local variable ranges. A branch to offset 0 lands after the prologue (which
//    runs once per call), on the tick of the first instruction if it has one.
//  - instruction(x): where the instruction at x itself is, after its tick. The base of its own
//    relative branch offsets, the `new` that an Uninitialized type names, the first instruction an
//    exception range protects (the tick before it is no part of the try).
// With no ticked instructions both are x + prologue: every offset moves by the same amount.
class CodeLayout {
 public:
  CodeLayout(size_t prologue, std::vector<uint32_t> ticked) : prologue_(prologue), ticked_(std::move(ticked)) {}

  size_t start(size_t x) const { return x + prologue_ + kTickLength * ticksBefore(x); }
  size_t instruction(size_t x) const { return start(x) + (hasTick(x) ? kTickLength : 0); }
  bool hasTick(size_t x) const { return std::binary_search(ticked_.begin(), ticked_.end(), x); }
  size_t growth() const { return prologue_ + kTickLength * ticked_.size(); }
  bool uniform() const { return ticked_.empty(); }

 private:
  size_t ticksBefore(size_t x) const {
    return static_cast<size_t>(std::lower_bound(ticked_.begin(), ticked_.end(), x) - ticked_.begin());
  }

  size_t prologue_;
  std::vector<uint32_t> ticked_;
};

// Opcodes that read or write a field or an array element: where a race between threads lives.
bool accessesFieldOrArray(uint8_t op) {
  return (op >= 0xb2 && op <= 0xb5)      // getstatic putstatic getfield putfield
         || (op >= 0x2e && op <= 0x35)   // iaload laload faload daload aaload baload caload saload
         || (op >= 0x4f && op <= 0x56);  // iastore lastore fastore dastore aastore bastore castore sastore
}

// Offsets of the instructions that get a tick of their own, sorted; false when the bytecode cannot
// be walked (the method then gets its entry tick only).
bool fieldAndArrayAccesses(const uint8_t* code, size_t codeLength, std::vector<uint32_t>& at) {
  for (size_t pc = 0; pc < codeLength;) {
    const size_t step = instructionLength(code, codeLength, pc);
    if (step == 0 || pc + step > codeLength) return false;
    if (accessesFieldOrArray(code[pc])) at.push_back(static_cast<uint32_t>(pc));
    pc += step;
  }
  return true;
}

int32_t s4At(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]);
}

void putS4(std::vector<uint8_t>& v, int64_t x) {
  putU4(v, static_cast<size_t>(static_cast<uint32_t>(static_cast<int32_t>(x))));
}

// The code with `tick` in front of every instruction the layout ticks and every relative branch
// offset (if<cond>, goto, jsr and their wide forms, both switches) moved to the new layout; the
// prologue is not part of it. False when a branch leaves the code or a 16-bit offset would
// overflow. Switch padding stays as it was: every insertion is a multiple of 4 bytes.
bool retargetedCode(const uint8_t* code, size_t codeLength, const CodeLayout& layout, const std::vector<uint8_t>& tick,
                    std::vector<uint8_t>& out) {
  const size_t base = out.size() - layout.start(0);  // where old offset 0 (after the prologue) lands in `out`
  // The new offset of the branch from the instruction at `pc` to old `pc + offset`.
  auto moved = [&](size_t pc, int64_t offset, int64_t& result) {
    const int64_t target = static_cast<int64_t>(pc) + offset;
    if (target < 0 || target >= static_cast<int64_t>(codeLength)) return false;
    result =
        static_cast<int64_t>(layout.start(static_cast<size_t>(target))) - static_cast<int64_t>(layout.instruction(pc));
    return true;
  };
  for (size_t pc = 0; pc < codeLength;) {
    const size_t step = instructionLength(code, codeLength, pc);
    if (step == 0 || pc + step > codeLength) return false;
    if (layout.hasTick(pc)) out.insert(out.end(), tick.begin(), tick.end());
    if (out.size() - base != layout.instruction(pc)) return false;  // cannot happen: a guard for the mapping
    const uint8_t op = code[pc];
    int64_t offset;
    if ((op >= 0x99 && op <= 0xa8) || op == 0xc6 || op == 0xc7) {  // if<cond>, goto, jsr, ifnull, ifnonnull
      if (!moved(pc, static_cast<int16_t>(u2At(code + pc + 1)), offset)) return false;
      if (offset < -32768 || offset > 32767) return false;
      putU1(out, op);
      putU2(out, static_cast<size_t>(static_cast<uint16_t>(static_cast<int16_t>(offset))));
    } else if (op == 0xc8 || op == 0xc9) {  // goto_w, jsr_w
      if (!moved(pc, s4At(code + pc + 1), offset)) return false;
      putU1(out, op);
      putS4(out, offset);
    } else if (op == 0xaa || op == 0xab) {  // tableswitch, lookupswitch: offsets from the switch's pc
      const size_t operands = (pc + 4) & ~size_t{3};
      out.insert(out.end(), code + pc, code + operands);  // opcode and padding
      if (!moved(pc, s4At(code + operands), offset)) return false;
      putS4(out, offset);
      size_t at = operands + 4;
      if (op == 0xaa) {
        const int64_t targets = int64_t{s4At(code + at + 4)} - s4At(code + at) + 1;
        out.insert(out.end(), code + at, code + at + 8);  // low, high
        at += 8;
        for (int64_t i = 0; i < targets; ++i, at += 4) {
          if (!moved(pc, s4At(code + at), offset)) return false;
          putS4(out, offset);
        }
      } else {
        const uint32_t pairs = static_cast<uint32_t>(s4At(code + at));
        out.insert(out.end(), code + at, code + at + 4);  // npairs
        at += 4;
        for (uint32_t i = 0; i < pairs; ++i, at += 8) {
          out.insert(out.end(), code + at, code + at + 4);  // match
          if (!moved(pc, s4At(code + at + 4), offset)) return false;
          putS4(out, offset);
        }
      }
    } else {
      out.insert(out.end(), code + pc, code + pc + step);
    }
    pc += step;
  }
  return true;
}

// Appends one verification_type_info from `r` to `out`, moving an Uninitialized(offset) (the offset
// of its `new` instruction) with the code.
bool copyVerificationType(Reader& r, std::vector<uint8_t>& out, const CodeLayout& layout) {
  uint8_t tag;
  if (!r.u1(tag) || tag > 8) return false;
  putU1(out, tag);
  if (tag < 7) return true;
  uint16_t value;
  if (!r.u2(value)) return false;
  if (tag == 8) {
    const size_t moved = layout.instruction(value);
    if (moved > kMaxU2) return false;
    value = static_cast<uint16_t>(moved);
  }
  putU2(out, value);
  return true;
}

// The StackMapTable body (after attribute_length) with every frame moved with the code: the first
// frame's offset_delta is its offset, each later one is the distance from the frame before minus
// one, so each is recomputed from the frames' old and new offsets. A same_frame or
// same_locals_1_stack_item whose delta no longer fits in its type becomes the extended form.
bool movedStackMapTable(const uint8_t* body, size_t length, const CodeLayout& layout, std::vector<uint8_t>& out) {
  Reader r(body, length);
  uint16_t count;
  if (!r.u2(count)) return false;
  putU2(out, count);
  size_t oldOffset = 0, newOffset = 0;
  for (uint16_t i = 0; i < count; ++i) {
    uint8_t type;
    if (!r.u1(type)) return false;
    uint16_t oldDelta;
    if (type <= 127) {  // same_frame, same_locals_1_stack_item: the delta is in the type
      oldDelta = type >= 64 ? type - 64 : type;
    } else if (type < 247) {
      return false;  // reserved
    } else if (!r.u2(oldDelta)) {
      return false;
    }
    const size_t frameAt = i == 0 ? oldDelta : oldOffset + oldDelta + 1;
    const size_t movedAt = layout.start(frameAt);
    const size_t delta = i == 0 ? movedAt : movedAt - newOffset - 1;
    if (delta > kMaxU2) return false;
    oldOffset = frameAt;
    newOffset = movedAt;
    if (type <= 127) {
      const bool oneStack = type >= 64;
      if (delta <= 63) {
        putU1(out, static_cast<uint8_t>(oneStack ? 64 + delta : delta));
      } else {
        putU1(out, oneStack ? 247 : 251);
        putU2(out, delta);
      }
      if (oneStack && !copyVerificationType(r, out, layout)) return false;
      continue;
    }
    putU1(out, type);
    putU2(out, delta);
    if (type == 247) {
      if (!copyVerificationType(r, out, layout)) return false;
    } else if (type >= 252 && type <= 254) {
      for (int k = 0; k < type - 251; ++k) {
        if (!copyVerificationType(r, out, layout)) return false;
      }
    } else if (type == 255) {
      for (int part = 0; part < 2; ++part) {  // locals, then stack
        uint16_t n;
        if (!r.u2(n)) return false;
        putU2(out, n);
        for (uint16_t k = 0; k < n; ++k) {
          if (!copyVerificationType(r, out, layout)) return false;
        }
      }
    }
  }
  return r.atEnd();
}

// Appends to `out` the Code attribute `a` with `prologue` in front of its bytecode and, when
// `accessTick` is given, that 4-byte call in front of every field and array access too (CodeLayout).
// The prologue is a multiple of 4 bytes long (switch padding stays as it is), leaves the stack as it
// found it, needs at most `prologueStack` slots, and does not branch; the access tick needs no
// stack. kSkipped when `alreadyThere` says the code starts with the prologue (a class rewritten
// before), when the code would reach 64 KiB, when a Code attribute has an attribute of unknown
// layout, and (with access ticks only) when the bytecode cannot be walked or a 16-bit branch would
// overflow: the caller may then try again without access ticks.
CodeEdit editedCode(const uint8_t* data, const AttributeInfo& a, const ClassView& view,
                    const std::vector<uint8_t>& prologue, uint16_t prologueStack,
                    const std::function<bool(const uint8_t* code, uint32_t length)>& alreadyThere,
                    const std::vector<uint8_t>* accessTick, std::vector<uint8_t>& out) {
  Reader r(data + a.start + 6, a.end - a.start - 6);
  uint16_t maxStack, maxLocals, exceptions, attributes;
  uint32_t codeLength;
  if (!r.u2(maxStack) || !r.u2(maxLocals) || !r.u4(codeLength) || codeLength == 0) return CodeEdit::kMalformed;
  const uint8_t* code = data + a.start + 6 + r.pos();
  if (!r.skip(codeLength)) return CodeEdit::kMalformed;
  if (alreadyThere(code, codeLength)) return CodeEdit::kSkipped;
  std::vector<uint32_t> ticked;
  if (accessTick != nullptr && !fieldAndArrayAccesses(code, codeLength, ticked)) return CodeEdit::kSkipped;
  const CodeLayout layout(prologue.size(), std::move(ticked));
  if (codeLength + layout.growth() > kMaxU2) return CodeEdit::kSkipped;  // code_length must stay < 65536

  std::vector<uint8_t> body;
  putU2(body, std::max(maxStack, prologueStack));
  putU2(body, maxLocals);
  putU4(body, codeLength + layout.growth());
  body.insert(body.end(), prologue.begin(), prologue.end());
  if (layout.uniform()) {
    body.insert(body.end(), code, code + codeLength);  // no relative offset changes
  } else if (!retargetedCode(code, codeLength, layout, *accessTick, body)) {
    return CodeEdit::kSkipped;
  }
  if (!r.u2(exceptions)) return CodeEdit::kMalformed;
  putU2(body, exceptions);
  for (uint16_t i = 0; i < exceptions; ++i) {
    uint16_t startPc, endPc, handlerPc, catchType;
    if (!r.u2(startPc) || !r.u2(endPc) || !r.u2(handlerPc) || !r.u2(catchType)) return CodeEdit::kMalformed;
    putU2(body, layout.instruction(startPc));
    putU2(body, layout.start(endPc));
    putU2(body, layout.start(handlerPc));
    putU2(body, catchType);
  }
  if (!r.u2(attributes)) return CodeEdit::kMalformed;
  const size_t countAt = body.size();
  putU2(body, 0);
  uint16_t kept = 0;
  for (uint16_t i = 0; i < attributes; ++i) {
    uint16_t nameIndex;
    uint32_t length;
    if (!r.u2(nameIndex) || !r.u4(length)) return CodeEdit::kMalformed;
    const uint8_t* attr = data + a.start + 6 + r.pos();
    if (!r.skip(length)) return CodeEdit::kMalformed;
    // Offsets into code that reflection never shows: dropped rather than rewritten.
    if (view.utf8Equals(nameIndex, "RuntimeVisibleTypeAnnotations") ||
        view.utf8Equals(nameIndex, "RuntimeInvisibleTypeAnnotations")) {
      continue;
    }
    std::vector<uint8_t> moved;
    if (view.utf8Equals(nameIndex, "StackMapTable")) {
      if (!movedStackMapTable(attr, length, layout, moved)) return CodeEdit::kMalformed;
    } else if (view.utf8Equals(nameIndex, "LineNumberTable")) {
      Reader t(attr, length);
      uint16_t n;
      if (!t.u2(n) || length != 2 + size_t{n} * 4) return CodeEdit::kMalformed;
      putU2(moved, n);
      for (uint16_t k = 0; k < n; ++k) {
        uint16_t startPc = 0, line = 0;
        t.u2(startPc);
        t.u2(line);
        // A line begins at the tick of its first instruction: the tick runs on that line.
        putU2(moved, layout.start(startPc));
        putU2(moved, line);
      }
    } else if (view.utf8Equals(nameIndex, "LocalVariableTable") ||
               view.utf8Equals(nameIndex, "LocalVariableTypeTable")) {
      Reader t(attr, length);
      uint16_t n;
      if (!t.u2(n) || length != 2 + size_t{n} * 10) return CodeEdit::kMalformed;
      putU2(moved, n);
      for (uint16_t k = 0; k < n; ++k) {
        uint16_t startPc = 0, range = 0, name = 0, type = 0, slot = 0;
        t.u2(startPc);
        t.u2(range);
        t.u2(name);
        t.u2(type);
        t.u2(slot);
        // A variable live from the start (a parameter) stays live over the prologue too.
        const size_t from = startPc == 0 ? 0 : layout.start(startPc);
        const size_t to = layout.start(size_t{startPc} + range);
        putU2(moved, from);
        putU2(moved, to - from);
        putU2(moved, name);
        putU2(moved, type);
        putU2(moved, slot);
      }
    } else {
      return CodeEdit::kSkipped;  // an attribute whose offsets we do not know: leave the method alone
    }
    putU2(body, nameIndex);
    putU4(body, moved.size());
    body.insert(body.end(), moved.begin(), moved.end());
    ++kept;
  }
  if (!r.atEnd()) return CodeEdit::kMalformed;
  setU2(body, countAt, kept);
  putU2(out, u2At(data + a.start));
  putU4(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return CodeEdit::kChanged;
}

// Constant pool entries appended by a rewrite, with their indices.
class PoolAdditions {
 public:
  explicit PoolAdditions(size_t next) : next_(next) {}
  uint16_t utf8(const std::string& s) {
    putU1(bytes_, kTagUtf8);
    putU2(bytes_, s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return take();
  }
  uint16_t classRef(const std::string& name) {
    uint16_t n = utf8(name);
    return pair(kTagClass, n);
  }
  uint16_t nameAndType(const std::string& name, const std::string& descriptor) {
    uint16_t n = utf8(name), d = utf8(descriptor);
    putU1(bytes_, kTagNameAndType);
    putU2(bytes_, n);
    putU2(bytes_, d);
    return take();
  }
  uint16_t member(uint8_t tag, uint16_t owner, const std::string& name, const std::string& descriptor) {
    uint16_t nat = nameAndType(name, descriptor);
    putU1(bytes_, tag);
    putU2(bytes_, owner);
    putU2(bytes_, nat);
    return take();
  }
  bool overflowed() const { return next_ > kMaxU2; }
  size_t count() const { return next_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  uint16_t pair(uint8_t tag, uint16_t index) {
    putU1(bytes_, tag);
    putU2(bytes_, index);
    return take();
  }
  uint16_t take() { return static_cast<uint16_t>(next_++); }

  size_t next_;
  std::vector<uint8_t> bytes_;
};

// The start of a rewrite: empty outputs, then the class parsed; false with `error` set.
bool startRewrite(const uint8_t* classBytes, size_t length, ParsedClass& pc, std::vector<uint8_t>& out,
                  std::string& error) {
  out.clear();
  error.clear();
  if (classBytes == nullptr) {
    error = "no class bytes";
    return false;
  }
  return parseClass(classBytes, length, pc, error);
}

// header | constant pool + additions | everything up to `middleEnd` | `tail`...: the class with its
// constant pool grown, the rest spliced by the caller.
void appendWithPool(const uint8_t* data, const ParsedClass& pc, const PoolAdditions& pool, std::vector<uint8_t>& out) {
  out.insert(out.end(), data, data + pc.cpCountOffset);
  putU2(out, pool.count());
  out.insert(out.end(), data + pc.cpCountOffset + 2, data + pc.cpEnd);
  out.insert(out.end(), pool.bytes().begin(), pool.bytes().end());
}

// The methods table (its count first) with `prologue` in front of the code of every method that
// `wanted` picks and, with `accessTick`, that call in front of its field and array accesses too
// (editedCode). A method whose accesses cannot all get one gets the prologue only. How many
// changed, or -1 for a malformed Code attribute.
int methodsWithPrologue(const uint8_t* classBytes, const ParsedClass& pc, const ClassView& view,
                        const std::function<bool(const MethodInfo&)>& wanted, const std::vector<uint8_t>& prologue,
                        uint16_t prologueStack,
                        const std::function<bool(const uint8_t* code, uint32_t length)>& alreadyThere,
                        std::vector<uint8_t>& methods, const std::vector<uint8_t>* accessTick = nullptr) {
  putU2(methods, pc.methods.size());
  int changed = 0;
  for (const MethodInfo& m : pc.methods) {
    const AttributeInfo* codeAttr = nullptr;
    for (const AttributeInfo& a : m.attributes) {
      if (view.utf8Equals(a.nameIndex, "Code")) codeAttr = &a;
    }
    std::vector<uint8_t> code;
    CodeEdit edit = CodeEdit::kSkipped;
    if (codeAttr != nullptr && wanted(m)) {
      if (codeAttr->end - codeAttr->start < 18) return -1;
      edit = editedCode(classBytes, *codeAttr, view, prologue, prologueStack, alreadyThere, accessTick, code);
      if (edit == CodeEdit::kSkipped && accessTick != nullptr) {
        code.clear();
        edit = editedCode(classBytes, *codeAttr, view, prologue, prologueStack, alreadyThere, nullptr, code);
      }
      if (edit == CodeEdit::kMalformed) return -1;
    }
    if (edit != CodeEdit::kChanged) {
      methods.insert(methods.end(), classBytes + m.start, classBytes + m.end);
      continue;
    }
    ++changed;
    methods.insert(methods.end(), classBytes + m.start, classBytes + codeAttr->start);
    methods.insert(methods.end(), code.begin(), code.end());
    methods.insert(methods.end(), classBytes + codeAttr->end, classBytes + m.end);
  }
  return changed;
}

}  // namespace

int insertTickCalls(const uint8_t* classBytes, size_t length, const StaticCall& tick, std::vector<uint8_t>& out,
                    std::string& error, TickPlaces places) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return -1;
  const ClassView view(classBytes, pc);
  // An existing Methodref to the tick (a class rewritten before) is used again.
  uint16_t existing = 0;
  for (size_t i = 1; i < pc.cp.size() && existing == 0; ++i) {
    if (isMethodref(classBytes, pc, view, static_cast<uint16_t>(i), tick)) existing = static_cast<uint16_t>(i);
  }
  PoolAdditions pool(pc.cp.size());
  uint16_t tickRef = existing;
  if (tickRef == 0) tickRef = pool.member(kTagMethodref, pool.classRef(tick.owner), tick.name, tick.descriptor);
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return -1;
  }
  auto isTickRef = [&](uint16_t index) { return isMethodref(classBytes, pc, view, index, tick); };

  // invokestatic #tick; nop: four bytes, so that every later instruction keeps its offset modulo 4
  // (tableswitch and lookupswitch padding depends on it) and relative branches need no change.
  const std::vector<uint8_t> tickCall = {kOpInvokestatic, static_cast<uint8_t>(tickRef >> 8),
                                         static_cast<uint8_t>(tickRef & 0xff), kOpNop};
  auto startsWithTick = [&](const uint8_t* code, uint32_t codeLength) {
    return codeLength >= 3 && code[0] == kOpInvokestatic && isTickRef(u2At(code + 1));
  };
  std::vector<uint8_t> methods;
  int changed = methodsWithPrologue(
      classBytes, pc, view, [](const MethodInfo&) { return true; }, tickCall, 0, startsWithTick, methods,
      places == TickPlaces::kMethodEntriesAndFieldAccesses ? &tickCall : nullptr);
  if (changed < 0) {
    error = "malformed Code attribute";
    return -1;
  }
  if (changed == 0) {
    out.assign(classBytes, classBytes + length);
    return 0;
  }
  const PoolAdditions none(pc.cp.size());
  appendWithPool(classBytes, pc, existing != 0 ? none : pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.methodsCountOffset);
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return changed;
}

bool addPreemptionHooks(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return false;
  const ClassView view(classBytes, pc);
  if (view.findUtf8("retrace$tick") != 0) {
    error = "the class already has the preemption hooks";
    return false;
  }
  PoolAdditions pool(pc.cp.size());
  const uint16_t thread = pool.classRef("java/lang/Thread");
  const uint16_t currentThread = pool.member(kTagMethodref, thread, "currentThread", "()Ljava/lang/Thread;");
  const uint16_t holder = pool.member(kTagFieldref, pc.thisClass, "retrace$holder", "Ljava/lang/Thread;");
  const uint16_t ticks = pool.member(kTagFieldref, pc.thisClass, "retrace$ticks", "J");
  const uint16_t limit = pool.member(kTagFieldref, pc.thisClass, "retrace$limit", "J");
  const uint16_t preempt = pool.member(kTagMethodref, pc.thisClass, "retrace$preempt", "(J)V");
  const uint16_t codeName = pool.utf8("Code");
  const uint16_t frames = pool.utf8("StackMapTable");
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  const uint16_t fieldCount = u2At(classBytes + pc.fieldsCountOffset);
  const uint16_t methodCount = u2At(classBytes + pc.methodsCountOffset);
  if (size_t{fieldCount} + 3 > kMaxU2 || size_t{methodCount} + 2 > kMaxU2) {
    error = "too many members";
    return false;
  }
  // The fields and methods refer to their names and descriptors through the NameAndType entries the
  // pool additions made: member index - 1 is the NameAndType, whose name and descriptor are the two
  // Utf8 entries before it.
  auto nameIndex = [](uint16_t member) { return static_cast<uint16_t>(member - 3); };
  auto descriptorIndex = [](uint16_t member) { return static_cast<uint16_t>(member - 2); };

  std::vector<uint8_t> fields;
  for (auto [member, flags] : {std::pair<uint16_t, uint16_t>{holder, kAccPrivate | kAccStatic | kAccSynthetic},
                               {ticks, kAccPrivate | kAccStatic | kAccSynthetic},
                               {limit, kAccPrivate | kAccStatic | kAccVolatile | kAccSynthetic}}) {
    putU2(fields, flags);
    putU2(fields, nameIndex(member));
    putU2(fields, descriptorIndex(member));
    putU2(fields, 0);
  }

  // retrace$tick(): if (Thread.currentThread() == holder) { long t = ticks + 1; ticks = t;
  // if (t >= limit) retrace$preempt(t); }
  std::vector<uint8_t> code;
  auto op = [&code](uint8_t opcode, uint16_t operand) {
    putU1(code, opcode);
    putU2(code, operand);
  };
  op(kOpInvokestatic, currentThread);  // 0
  op(kOpGetstatic, holder);            // 3
  op(kOpIfAcmpne, 31 - 6);             // 6 -> 31 (return)
  op(kOpGetstatic, ticks);             // 9
  putU1(code, kOpLconst1);             // 12
  putU1(code, kOpLadd);                // 13
  putU1(code, kOpDup2);                // 14
  op(kOpPutstatic, ticks);             // 15
  putU1(code, kOpDup2);                // 18
  op(kOpGetstatic, limit);             // 19
  putU1(code, kOpLcmp);                // 22
  op(kOpIflt, 30 - 23);                // 23 -> 30 (pop2)
  op(kOpInvokestatic, preempt);        // 26
  putU1(code, kOpReturn);              // 29
  putU1(code, kOpPop2);                // 30: stack [long]
  putU1(code, kOpReturn);              // 31: stack []
  const std::vector<uint8_t> stackMap = {0, 2, 64 + 30, 4 /* Long */, 0 /* same_frame, offset 31 */};

  std::vector<uint8_t> methods;
  putU2(methods, kAccPrivate | kAccStatic | kAccNative | kAccSynthetic);
  putU2(methods, nameIndex(preempt));
  putU2(methods, descriptorIndex(preempt));
  putU2(methods, 0);
  putU2(methods, kAccPublic | kAccStatic | kAccSynthetic);
  const uint16_t tickName = pool.utf8("retrace$tick");
  const uint16_t tickDescriptor = pool.utf8("()V");
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  putU2(methods, tickName);
  putU2(methods, tickDescriptor);
  putU2(methods, 1);
  putU2(methods, codeName);
  putU4(methods, 2 + 2 + 4 + code.size() + 2 + 2 + 6 + stackMap.size());
  putU2(methods, 6);  // max_stack: t, t, limit
  putU2(methods, 0);  // max_locals
  putU4(methods, code.size());
  methods.insert(methods.end(), code.begin(), code.end());
  putU2(methods, 0);  // exception_table_length
  putU2(methods, 1);  // attributes_count
  putU2(methods, frames);
  putU4(methods, stackMap.size());
  methods.insert(methods.end(), stackMap.begin(), stackMap.end());

  appendWithPool(classBytes, pc, pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.fieldsCountOffset);
  putU2(out, fieldCount + 3);
  out.insert(out.end(), classBytes + pc.fieldsCountOffset + 2, classBytes + pc.methodsCountOffset);
  out.insert(out.end(), fields.begin(), fields.end());
  putU2(out, methodCount + 2);
  out.insert(out.end(), classBytes + pc.methodsCountOffset + 2, classBytes + pc.methodsEnd);
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return true;
}

bool addProgressHooks(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return false;
  const ClassView view(classBytes, pc);
  if (view.findUtf8(kProgressNative) != 0) {
    error = "the class already has the progress hooks";
    return false;
  }
  PoolAdditions pool(pc.cp.size());
  struct Added {
    uint16_t flags, name, descriptor;
  };
  const Added added[] = {{kAccPrivate | kAccStatic | kAccNative | kAccSynthetic, pool.utf8(kProgressNative),
                          pool.utf8("(Ljava/lang/Thread;)J")},
                         {kAccPrivate | kAccStatic | kAccNative | kAccSynthetic, pool.utf8(kPreviousProgressNative),
                          pool.utf8("(Ljava/lang/Thread;)J")},
                         {kAccPrivate | kAccStatic | kAccNative | kAccSynthetic, pool.utf8(kSeekNative),
                          pool.utf8("(Ljava/lang/Thread;J)Z")},
                         {kAccPrivate | kAccStatic | kAccSynthetic, pool.utf8(kReachedMethod), pool.utf8("()V")}};
  const uint16_t codeName = pool.utf8("Code");
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  const uint16_t methodCount = u2At(classBytes + pc.methodsCountOffset);
  if (size_t{methodCount} + std::size(added) > kMaxU2) {
    error = "too many methods";
    return false;
  }
  std::vector<uint8_t> methods;
  for (const Added& method : added) {
    putU2(methods, method.flags);
    putU2(methods, method.name);
    putU2(methods, method.descriptor);
    if (method.flags & kAccNative) {
      putU2(methods, 0);
      continue;
    }
    putU2(methods, 1);  // one attribute: Code { return }
    putU2(methods, codeName);
    putU4(methods, 2 + 2 + 4 + 1 + 2 + 2);
    putU2(methods, 0);  // max_stack
    putU2(methods, 0);  // max_locals
    putU4(methods, 1);
    putU1(methods, kOpReturn);
    putU2(methods, 0);  // exception_table_length
    putU2(methods, 0);  // attributes_count
  }
  appendWithPool(classBytes, pc, pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.methodsCountOffset);
  putU2(out, static_cast<uint16_t>(methodCount + std::size(added)));
  out.insert(out.end(), classBytes + pc.methodsCountOffset + 2, classBytes + pc.methodsEnd);
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return true;
}

bool keepReferents(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return false;
  const ClassView view(classBytes, pc);
  if (view.findUtf8(kKeptReferentField) != 0) {
    error = "the class already keeps its referent";
    return false;
  }
  PoolAdditions pool(pc.cp.size());
  const uint16_t kept = pool.member(kTagFieldref, pc.thisClass, kKeptReferentField, "Ljava/lang/Object;");
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  const uint16_t fieldCount = u2At(classBytes + pc.fieldsCountOffset);
  if (size_t{fieldCount} + 1 > kMaxU2) {
    error = "too many fields";
    return false;
  }
  // aload_0; aload_1; putfield #kept; nop; nop; nop: eight bytes. Legal before super(): a field of
  // the class itself may be set on uninitializedThis.
  const std::vector<uint8_t> keep = {
      kOpAload0, kOpAload1, kOpPutfield, static_cast<uint8_t>(kept >> 8), static_cast<uint8_t>(kept & 0xff),
      kOpNop,    kOpNop,    kOpNop};
  auto takesReferent = [&](const MethodInfo& m) {
    return view.utf8Equals(m.nameIndex, "<init>") &&
           view.utf8String(m.descriptorIndex).rfind("(Ljava/lang/Object;", 0) == 0;
  };
  std::vector<uint8_t> methods;
  int changed = methodsWithPrologue(
      classBytes, pc, view, takesReferent, keep, 2, [](const uint8_t*, uint32_t) { return false; }, methods);
  if (changed < 0) {
    error = "malformed Code attribute";
    return false;
  }
  if (changed == 0) {
    error = "no constructor takes a referent";
    return false;
  }
  // The field: private, synthetic; its name and descriptor are the Utf8 entries of the Fieldref's
  // NameAndType (member index - 3 and - 2, as the pool additions made them).
  std::vector<uint8_t> field;
  putU2(field, kAccPrivate | kAccSynthetic);
  putU2(field, kept - 3);
  putU2(field, kept - 2);
  putU2(field, 0);
  appendWithPool(classBytes, pc, pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.fieldsCountOffset);
  putU2(out, fieldCount + 1);
  out.insert(out.end(), classBytes + pc.fieldsCountOffset + 2, classBytes + pc.methodsCountOffset);
  out.insert(out.end(), field.begin(), field.end());
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return true;
}

bool noteClearedReferences(const uint8_t* classBytes, size_t length, std::vector<uint8_t>& out, std::string& error) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return false;
  const ClassView view(classBytes, pc);
  if (view.findUtf8(kClearedNative) != 0) {
    error = "the class already notes cleared references";
    return false;
  }
  PoolAdditions pool(pc.cp.size());
  const uint16_t cleared = pool.member(kTagMethodref, pc.thisClass, kClearedNative, "(Ljava/lang/ref/Reference;)V");
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  const uint16_t methodCount = u2At(classBytes + pc.methodsCountOffset);
  if (size_t{methodCount} + 1 > kMaxU2) {
    error = "too many methods";
    return false;
  }
  const std::vector<uint8_t> note = {kOpAload0, kOpInvokestatic, static_cast<uint8_t>(cleared >> 8),
                                     static_cast<uint8_t>(cleared & 0xff)};
  auto enqueues = [&](const MethodInfo& m) {
    return view.utf8Equals(m.nameIndex, "enqueueFromPending") && view.utf8Equals(m.descriptorIndex, "()V");
  };
  std::vector<uint8_t> methods;
  int changed = methodsWithPrologue(
      classBytes, pc, view, enqueues, note, 1, [](const uint8_t*, uint32_t) { return false; }, methods);
  if (changed < 0) {
    error = "malformed Code attribute";
    return false;
  }
  if (changed == 0) {
    error = "no enqueueFromPending()";
    return false;
  }
  // methods starts with the old count; the native's name and descriptor are the Utf8 entries of the
  // Methodref's NameAndType (member index - 3 and - 2, as the pool additions made them).
  setU2(methods, 0, methodCount + 1);
  putU2(methods, kAccPrivate | kAccStatic | kAccNative | kAccSynthetic);
  putU2(methods, cleared - 3);
  putU2(methods, cleared - 2);
  putU2(methods, 0);
  appendWithPool(classBytes, pc, pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.methodsCountOffset);
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return true;
}

bool callFirstInStaticInitializer(const uint8_t* classBytes, size_t length, const StaticCall& call,
                                  std::vector<uint8_t>& out, std::string& error) {
  ParsedClass pc;
  if (!startRewrite(classBytes, length, pc, out, error)) return false;
  // A void call is followed by nop, one that returns an int or a boolean by pop: four bytes either way.
  const bool isVoid = call.descriptor == "()V";
  if (!isVoid && call.descriptor != "()I" && call.descriptor != "()Z") {
    error = "the call must take nothing and return nothing, an int or a boolean";
    return false;
  }
  const ClassView view(classBytes, pc);
  PoolAdditions pool(pc.cp.size());
  const uint16_t ref = pool.member(kTagMethodref, pool.classRef(call.owner), call.name, call.descriptor);
  if (pool.overflowed()) {
    error = "constant pool would overflow";
    return false;
  }
  const std::vector<uint8_t> prologue = {kOpInvokestatic, static_cast<uint8_t>(ref >> 8),
                                         static_cast<uint8_t>(ref & 0xff), isVoid ? kOpNop : kOpPop};
  auto isStaticInitializer = [&](const MethodInfo& m) {
    return view.utf8Equals(m.nameIndex, "<clinit>") && view.utf8Equals(m.descriptorIndex, "()V");
  };
  // A class rewritten before already starts with the call (through a Methodref of its own pool).
  auto startsWithCall = [&](const uint8_t* code, uint32_t codeLength) {
    return codeLength >= 3 && code[0] == kOpInvokestatic && isMethodref(classBytes, pc, view, u2At(code + 1), call);
  };
  std::vector<uint8_t> methods;
  int changed =
      methodsWithPrologue(classBytes, pc, view, isStaticInitializer, prologue, isVoid ? 0 : 1, startsWithCall, methods);
  if (changed < 0) {
    error = "malformed Code attribute";
    return false;
  }
  if (changed == 0) {
    error = "no static initialiser, or it calls " + call.name + " first already";
    return false;
  }
  appendWithPool(classBytes, pc, pool, out);
  out.insert(out.end(), classBytes + pc.cpEnd, classBytes + pc.methodsCountOffset);
  out.insert(out.end(), methods.begin(), methods.end());
  out.insert(out.end(), classBytes + pc.methodsEnd, classBytes + length);
  return true;
}

}  // namespace retrace::agent
