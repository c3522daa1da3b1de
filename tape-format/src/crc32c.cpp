// CRC32C (Castagnoli), the checksum of every frame. The writer thread checksums every byte it
// writes and the reader every byte it indexes, so the instruction matters: SSE4.2 does 8 bytes a
// cycle where the table does one. The choice is made once, at first use, from CPUID, so a build
// for generic x86-64 still uses the instruction where it exists.
//
// Convention: crc32c(0, p, n) is the standard CRC32C of n bytes (crc32c("123456789") ==
// 0xE3069283), and crc32c(crc32c(0, a), b) == crc32c(0, a followed by b).
#include <cstring>

#include "crc32c_impl.h"
#include "retrace/tape/frame.h"

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define RETRACE_CRC32C_X86 1
#endif

namespace retrace::tape {
namespace detail {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // Castagnoli, bit-reversed

struct Table {
  uint32_t entries[256];
  constexpr Table() : entries() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
      entries[i] = c;
    }
  }
};

constexpr Table kTable;

}  // namespace

uint32_t crc32cSoftware(uint32_t crc, const void* data, size_t length) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < length; ++i) crc = kTable.entries[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

#ifdef RETRACE_CRC32C_X86

bool crc32cHardwareAvailable() {
  return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2"))) uint32_t crc32cHardware(uint32_t crc, const void* data, size_t length) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t c = ~crc;
#if defined(__x86_64__)
  while (length >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);  // frames are not 8-byte aligned in the file
    c = _mm_crc32_u64(c, word);
    p += 8;
    length -= 8;
  }
#endif
  uint32_t c32 = static_cast<uint32_t>(c);
  while (length > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --length;
  }
  return ~c32;
}

#else

bool crc32cHardwareAvailable() {
  return false;
}
uint32_t crc32cHardware(uint32_t crc, const void* data, size_t length) {
  return crc32cSoftware(crc, data, length);
}

#endif

}  // namespace detail

uint32_t crc32c(uint32_t crc, const void* data, size_t length) {
  using Fn = uint32_t (*)(uint32_t, const void*, size_t);
  // A function-local static: resolved once, thread-safe, and before any frame can be written.
  static const Fn impl = detail::crc32cHardwareAvailable() ? detail::crc32cHardware : detail::crc32cSoftware;
  return impl(crc, data, length);
}

}  // namespace retrace::tape
