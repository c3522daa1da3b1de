// Checksums, frame headers, the raw event buffer and the unpacker: the pieces every frame of a
// recording goes through.
#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "crc32c_impl.h"
#include "packed.h"
#include "retrace.capnp.h"
#include "retrace/tape/event_buffer.h"
#include "retrace/tape/frame.h"

namespace retrace::tape {
namespace {

using CrcFn = uint32_t (*)(uint32_t, const void*, size_t);

std::vector<std::pair<const char*, CrcFn>> implementations() {
  std::vector<std::pair<const char*, CrcFn>> fns = {{"dispatch", crc32c}, {"software", detail::crc32cSoftware}};
  if (detail::crc32cHardwareAvailable()) fns.emplace_back("sse4.2", detail::crc32cHardware);
  return fns;
}

TEST(Crc32c, KnownVectors) {
  // RFC 3720 (iSCSI) B.4 and the customary check value.
  uint8_t zeros[32] = {}, ones[32], ascending[32], descending[32];
  std::memset(ones, 0xFF, sizeof ones);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  for (auto [name, crc] : implementations()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(crc(0, "123456789", 9), 0xE3069283u);
    EXPECT_EQ(crc(0, "", 0), 0u);
    EXPECT_EQ(crc(0, zeros, 32), 0x8A9136AAu);
    EXPECT_EQ(crc(0, ones, 32), 0x62A8AB43u);
    EXPECT_EQ(crc(0, ascending, 32), 0x46DD794Eu);
    EXPECT_EQ(crc(0, descending, 32), 0x113FDB5Cu);
  }
}

TEST(Crc32c, ChainsAndAgreesAcrossImplementations) {
  std::mt19937_64 random(7);
  std::vector<uint8_t> bytes(4096 + 7);
  for (auto& b : bytes) b = static_cast<uint8_t>(random());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length : {0, 1, 7, 8, 9, 15, 16, 17, 100, 4096}) {
      const uint8_t* p = bytes.data() + offset;
      uint32_t expected = detail::crc32cSoftware(0, p, length);
      for (auto [name, crc] : implementations()) {
        SCOPED_TRACE(std::string(name) + " offset " + std::to_string(offset) + " length " + std::to_string(length));
        EXPECT_EQ(crc(0, p, length), expected);
        size_t half = length / 2;
        EXPECT_EQ(crc(crc(0, p, half), p + half, length - half), expected);
      }
    }
  }
}

TEST(Frame, HeaderIsLittleEndianAndDecodes) {
  const std::string payload = "payload bytes";
  uint8_t header[kFrameHeaderSize];
  encodeFrameHeader(0x01020304, payload.data(), static_cast<uint32_t>(payload.size()), header);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(header), 4), "RTF1");
  EXPECT_EQ(header[4], 0x04);
  EXPECT_EQ(header[7], 0x01);
  EXPECT_EQ(header[8], payload.size());
  EXPECT_EQ(header[9], 0);

  FrameHeader decoded;
  ASSERT_TRUE(decodeFrameHeader(header, decoded));
  EXPECT_EQ(decoded.magic, kFrameMagic);
  EXPECT_EQ(decoded.pid, 0x01020304u);
  EXPECT_EQ(decoded.length, payload.size());
  // The checksum covers pid and length (8 little-endian bytes), then the payload.
  uint8_t prefix[8] = {0x04, 0x03, 0x02, 0x01, static_cast<uint8_t>(payload.size()), 0, 0, 0};
  EXPECT_EQ(decoded.crc, crc32c(crc32c(0, prefix, 8), payload.data(), payload.size()));
  EXPECT_TRUE(frameChecksumMatches(decoded, payload.data()));
}

TEST(Frame, DecodeRejectsBadMagicAndHugeLength) {
  uint8_t header[kFrameHeaderSize];
  encodeFrameHeader(1, "x", 1, header);
  FrameHeader decoded;
  header[0] ^= 1;
  EXPECT_FALSE(decodeFrameHeader(header, decoded));
  header[0] ^= 1;
  ASSERT_TRUE(decodeFrameHeader(header, decoded));
  uint32_t huge = kMaxFrameLength + 1;
  std::memcpy(header + 8, &huge, 4);  // the tests run on little-endian machines
  EXPECT_FALSE(decodeFrameHeader(header, decoded));
}

TEST(Frame, ChecksumCatchesEveryFlippedBit) {
  std::string payload(64, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 37);
  uint8_t header[kFrameHeaderSize];
  encodeFrameHeader(77, payload.data(), static_cast<uint32_t>(payload.size()), header);
  FrameHeader decoded;
  ASSERT_TRUE(decodeFrameHeader(header, decoded));
  ASSERT_TRUE(frameChecksumMatches(decoded, payload.data()));
  for (size_t i = 0; i < payload.size() * 8; ++i) {
    std::string flipped = payload;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_FALSE(frameChecksumMatches(decoded, flipped.data())) << "bit " << i;
  }
  for (int bit = 0; bit < 32; ++bit) {
    FrameHeader other = decoded;
    other.pid ^= 1u << bit;
    EXPECT_FALSE(frameChecksumMatches(other, payload.data())) << "pid bit " << bit;
    other = decoded;
    other.crc ^= 1u << bit;
    EXPECT_FALSE(frameChecksumMatches(other, payload.data())) << "crc bit " << bit;
  }
}

TEST(Frame, ShebangLine) {
  EXPECT_EQ(shebangLine("/opt/retrace/bin/retrace-replay"), "#!/opt/retrace/bin/retrace-replay --recording\n");
  EXPECT_EQ(shebangLine("/usr/bin/env retrace-replay"), "#!/usr/bin/env retrace-replay --recording\n");
}

TEST(EventBuffer, RawLayoutRoundTrips) {
  EventBuffer buffer(16);
  buffer.appendValue(9, -5);
  buffer.begin(3, 77)
      .data("abc", 3)
      .item("x", 1)
      .nullItem()
      .field(-2)
      .thrown("E", "m", 5)
      .frame("M.f(M.java)", 12)
      .finish();
  buffer.begin(4, 1).finish();
  EXPECT_EQ(buffer.eventCount(), 3u);

  RawEventIterator it(buffer.bytes(), buffer.size());
  RawEventHeader header;
  const uint8_t* extra;
  ASSERT_TRUE(it.next(header, extra));
  EXPECT_EQ(header.call, 9);
  EXPECT_EQ(header.value, -5);
  EXPECT_EQ(header.extraBytes, 0u);
  ASSERT_TRUE(it.next(header, extra));
  EXPECT_EQ(header.call, 3);
  EXPECT_EQ(header.value, 77);
  // data 5+3, item 5+1, null 5, field 5+8, class 5+1, message 5+1, errno 5+4, frame 5+4+11
  EXPECT_EQ(header.extraBytes, 8u + 6 + 5 + 13 + 6 + 6 + 9 + 20);
  EXPECT_EQ(extra[0], static_cast<uint8_t>(RawTag::kData));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(extra + 5), 3), "abc");
  ASSERT_TRUE(it.next(header, extra));
  EXPECT_EQ(header.call, 4);
  EXPECT_EQ(header.extraBytes, 0u);
  EXPECT_FALSE(it.next(header, extra));
}

TEST(EventBuffer, TornEventEndsTheWalk) {
  EventBuffer buffer;
  buffer.appendValue(1, 1);
  buffer.begin(2, 2).data("0123456789", 10).finish();
  // Cut inside the second event's extra bytes: the iterator must not read past the end.
  RawEventIterator it(buffer.bytes(), buffer.size() - 3);
  RawEventHeader header;
  const uint8_t* extra;
  EXPECT_TRUE(it.next(header, extra));
  EXPECT_FALSE(it.next(header, extra));
}

std::vector<uint8_t> packedSample(std::vector<uint64_t>& unpacked) {
  capnp::MallocMessageBuilder message;
  auto chunk = message.initRoot<schema::Message>().initEventChunk();
  chunk.setThread(3);
  auto events = chunk.initEvents(100);
  for (unsigned i = 0; i < 100; ++i) {
    events[i].setCall(static_cast<uint16_t>(i % 3));
    events[i].setValue(i * 1000003);
    if (i % 10 == 0) {
      auto data = events[i].initData(i);
      for (unsigned j = 0; j < i; ++j) data[j] = static_cast<kj::byte>(j);
    }
  }
  kj::VectorOutputStream out;
  capnp::writePackedMessage(out, message);
  auto flat = capnp::messageToFlatArray(message);
  unpacked.assign(reinterpret_cast<const uint64_t*>(flat.begin()), reinterpret_cast<const uint64_t*>(flat.end()));
  return std::vector<uint8_t>(out.getArray().begin(), out.getArray().end());
}

TEST(Unpack, MatchesCapnpAndRejectsDamage) {
  std::vector<uint64_t> expected;
  std::vector<uint8_t> packed = packedSample(expected);
  std::vector<uint64_t> words;
  std::string error;
  ASSERT_TRUE(detail::unpack(packed.data(), packed.size(), 1 << 20, words, error)) << error;
  EXPECT_EQ(words, expected);
  words.clear();
  ASSERT_TRUE(detail::unpack(packed.data(), packed.size(), 1 << 20, words, error, /*allowSimd=*/false)) << error;
  EXPECT_EQ(words, expected);

  // Every cut either fails cleanly or yields a prefix (a cut exactly between words).
  for (size_t cut = 0; cut < packed.size(); ++cut) {
    for (bool simd : {true, false}) {
      words.clear();
      if (detail::unpack(packed.data(), cut, 1 << 20, words, error, simd)) {
        ASSERT_LE(words.size(), expected.size());
        EXPECT_TRUE(std::equal(words.begin(), words.end(), expected.begin()));
      }
    }
  }
  // A size cap refuses a message before allocating it.
  EXPECT_FALSE(detail::unpack(packed.data(), packed.size(), expected.size() - 1, words, error));
  // Zero runs: 2 bytes that claim 256 words.
  const uint8_t zeros[] = {0x00, 0xFF};
  ASSERT_TRUE(detail::unpack(zeros, 2, 256, words, error));
  EXPECT_EQ(words.size(), 256u);
  EXPECT_FALSE(detail::unpack(zeros, 2, 255, words, error));
}

TEST(Unpack, RandomBytesNeverCrash) {
  std::mt19937 random(11);
  std::vector<uint64_t> words;
  std::string error;
  detail::DecodedMessage decoded;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> bytes(random() % 200);
    for (auto& b : bytes) b = static_cast<uint8_t>(random());
    std::vector<uint64_t> portable;
    bool ok = detail::unpack(bytes.data(), bytes.size(), 4096, words, error);
    EXPECT_EQ(detail::unpack(bytes.data(), bytes.size(), 4096, portable, error, false), ok);
    if (ok) {
      EXPECT_EQ(words, portable);
    }
    if (decoded.decode(bytes.data(), bytes.size(), 4096, error)) {
      try {
        decoded.reader().getRoot<schema::Message>().totalSize();
      } catch (const kj::Exception&) {
        // fine: a reader may refuse it, but must not crash
      }
    }
  }
}

}  // namespace
}  // namespace retrace::tape
