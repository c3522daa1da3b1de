// Framing of a recording file.
//
//   #!<launcher> --recording\n          one shebang line (the file is executable, mode 0700)
//   frame*                               appended with one write(2) each, O_APPEND
//   [RETRACE-PACK-v1\n zip]              the pack, when `retrace pack` or `record --pack` added it:
//                                        the recorded code (jars, class files), content-addressed,
//                                        to the end of the file (docs/recording-format.md#the-pack)
//
// A frame is a 16-byte little-endian header followed by `length` payload bytes:
//   u32 magic   'R','T','F','1'  (kFrameMagic)
//   u32 pid     the process the frame belongs to
//   u32 length  payload bytes
//   u32 crc     CRC32C over pid, length (as 8 little-endian bytes) and the payload
// The payload is one packed Cap'n Proto retrace::schema::Message (retrace.capnp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace retrace::tape {

constexpr uint32_t kFormatVersion = 4;        // keep in sync with retrace.capnp formatVersion
constexpr uint32_t kFrameMagic = 0x31465452;  // "RTF1" read as little-endian bytes
constexpr size_t kFrameHeaderSize = 16;
constexpr uint32_t kMaxFrameLength = 64u << 20;  // a longer length means a corrupt header
// Where the frames end and the pack begins; nothing but the pack follows it.
constexpr char kPackMagic[] = "RETRACE-PACK-v1\n";
constexpr size_t kPackMagicSize = sizeof kPackMagic - 1;

uint32_t crc32c(uint32_t crc, const void* data, size_t length);

struct FrameHeader {
  uint32_t magic;
  uint32_t pid;
  uint32_t length;
  uint32_t crc;
};

/** Encodes the header of a frame for `payload` into out[kFrameHeaderSize]. */
void encodeFrameHeader(uint32_t pid, const void* payload, uint32_t length, uint8_t* out);

/** Decodes a header; false when the magic is wrong or the length is above kMaxFrameLength. */
bool decodeFrameHeader(const uint8_t* in, FrameHeader& header);

/** True when header.crc matches the payload. */
bool frameChecksumMatches(const FrameHeader& header, const void* payload);

/** The shebang line (with its newline) that makes a recording executable. */
std::string shebangLine(const std::string& launcherPath);

}  // namespace retrace::tape
