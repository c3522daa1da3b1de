// Frame headers (frame.h). The header is spelled out byte by byte in little-endian order so a
// recording made on one machine reads on any other; the checksum covers pid and length too, so
// a flipped bit there is caught like one in the payload.
#include "retrace/tape/frame.h"

namespace retrace::tape {
namespace {

void putLe32(uint8_t* out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v);
  out[1] = static_cast<uint8_t>(v >> 8);
  out[2] = static_cast<uint8_t>(v >> 16);
  out[3] = static_cast<uint8_t>(v >> 24);
}

uint32_t getLe32(const uint8_t* in) {
  return static_cast<uint32_t>(in[0]) | static_cast<uint32_t>(in[1]) << 8 | static_cast<uint32_t>(in[2]) << 16 |
         static_cast<uint32_t>(in[3]) << 24;
}

uint32_t frameChecksum(uint32_t pid, uint32_t length, const void* payload) {
  uint8_t prefix[8];
  putLe32(prefix, pid);
  putLe32(prefix + 4, length);
  return crc32c(crc32c(0, prefix, sizeof prefix), payload, length);
}

}  // namespace

void encodeFrameHeader(uint32_t pid, const void* payload, uint32_t length, uint8_t* out) {
  putLe32(out, kFrameMagic);
  putLe32(out + 4, pid);
  putLe32(out + 8, length);
  putLe32(out + 12, frameChecksum(pid, length, payload));
}

bool decodeFrameHeader(const uint8_t* in, FrameHeader& header) {
  header.magic = getLe32(in);
  header.pid = getLe32(in + 4);
  header.length = getLe32(in + 8);
  header.crc = getLe32(in + 12);
  return header.magic == kFrameMagic && header.length <= kMaxFrameLength;
}

bool frameChecksumMatches(const FrameHeader& header, const void* payload) {
  return frameChecksum(header.pid, header.length, payload) == header.crc;
}

std::string shebangLine(const std::string& launcherPath) {
  return "#!" + launcherPath + " --recording\n";
}

}  // namespace retrace::tape
