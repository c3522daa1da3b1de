// The JDWP guard's packet filter: state changes are answered NOT_IMPLEMENTED and never reach the
// JVM, everything else passes byte for byte, CapabilitiesNew says no to state changes.
#include "jdwp_guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace retrace::launcher {
namespace {

const std::string kHandshake = "JDWP-Handshake";

std::vector<uint8_t> command(uint32_t id, uint8_t set, uint8_t cmd, std::vector<uint8_t> data = {}) {
  uint32_t length = 11 + static_cast<uint32_t>(data.size());
  std::vector<uint8_t> p = {static_cast<uint8_t>(length >> 24),
                            static_cast<uint8_t>(length >> 16),
                            static_cast<uint8_t>(length >> 8),
                            static_cast<uint8_t>(length),
                            static_cast<uint8_t>(id >> 24),
                            static_cast<uint8_t>(id >> 16),
                            static_cast<uint8_t>(id >> 8),
                            static_cast<uint8_t>(id),
                            0,
                            set,
                            cmd};
  p.insert(p.end(), data.begin(), data.end());
  return p;
}

std::vector<uint8_t> reply(uint32_t id, uint16_t error, std::vector<uint8_t> data = {}) {
  std::vector<uint8_t> p = command(id, static_cast<uint8_t>(error >> 8), static_cast<uint8_t>(error), data);
  p[8] = 0x80;
  return p;
}

std::vector<uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

std::vector<uint8_t> concat(std::vector<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

TEST(JdwpGuard, PassesTheHandshakeAndReadingCommandsByteForByte) {
  std::vector<std::string> refused;
  JdwpGuard guard([&](const std::string& line) { refused.push_back(line); });
  std::vector<uint8_t> in = concat({bytes(kHandshake), command(1, 1, 1), command(2, 16, 1, {0, 0, 0, 1}),
                                    command(3, 9, 1, std::vector<uint8_t>(20, 7))});
  std::vector<uint8_t> toJvm, toDebugger;
  ASSERT_TRUE(guard.fromDebugger(in.data(), in.size(), toJvm, toDebugger));
  EXPECT_EQ(toJvm, in);
  EXPECT_TRUE(toDebugger.empty());
  EXPECT_TRUE(refused.empty());
}

TEST(JdwpGuard, AnswersEveryStateChangeAtOnceAndKeepsItFromTheJvm) {
  struct Case {
    uint8_t set, cmd;
  } changes[] = {{1, 18}, {3, 2}, {9, 3}, {11, 14}, {13, 3}, {16, 2}, {16, 4}};
  for (const Case& c : changes) {
    std::vector<std::string> refused;
    JdwpGuard guard([&](const std::string& line) { refused.push_back(line); });
    std::vector<uint8_t> in = concat({bytes(kHandshake), command(41, c.set, c.cmd, {1, 2, 3}), command(42, 1, 1)});
    std::vector<uint8_t> toJvm, toDebugger;
    ASSERT_TRUE(guard.fromDebugger(in.data(), in.size(), toJvm, toDebugger));
    EXPECT_EQ(toJvm, concat({bytes(kHandshake), command(42, 1, 1)})) << int(c.set) << "/" << int(c.cmd);
    EXPECT_EQ(toDebugger, reply(41, 99)) << int(c.set) << "/" << int(c.cmd);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_NE(refused[0].find("refused, a replay's state comes from its recording"), std::string::npos) << refused[0];
  }
}

TEST(JdwpGuard, PacketsInPiecesAreTakenWhole) {
  JdwpGuard guard([](const std::string&) {});
  std::vector<uint8_t> in = concat({bytes(kHandshake), command(7, 16, 2, {9, 9}), command(8, 1, 1)});
  std::vector<uint8_t> toJvm, toDebugger;
  for (uint8_t b : in) ASSERT_TRUE(guard.fromDebugger(&b, 1, toJvm, toDebugger));
  EXPECT_EQ(toJvm, concat({bytes(kHandshake), command(8, 1, 1)}));
  EXPECT_EQ(toDebugger, reply(7, 99));
}

TEST(JdwpGuard, CapabilitiesNewSaysNoToStateChanges) {
  JdwpGuard guard([](const std::string&) {});
  std::vector<uint8_t> in = concat({bytes(kHandshake), command(5, 1, 17)});
  std::vector<uint8_t> toJvm, toDebugger;
  ASSERT_TRUE(guard.fromDebugger(in.data(), in.size(), toJvm, toDebugger));
  std::vector<uint8_t> all(32, 1);
  std::vector<uint8_t> back = concat({bytes(kHandshake), reply(5, 0, all), reply(6, 0, all)});
  std::vector<uint8_t> out;
  ASSERT_TRUE(guard.fromJvm(back.data(), back.size(), out));
  std::vector<uint8_t> expected = all;
  for (size_t flag : {7, 8, 9, 10, 20}) expected[flag] = 0;
  EXPECT_EQ(out, concat({bytes(kHandshake), reply(5, 0, expected), reply(6, 0, all)}))
      << "only the reply to the CapabilitiesNew command changes";
}

TEST(JdwpGuard, AMalformedLengthIsRefused) {
  JdwpGuard guard([](const std::string&) {});
  std::vector<uint8_t> in = concat({bytes(kHandshake), {0, 0, 0, 3, 0, 0, 0, 1, 0, 1, 1}});
  std::vector<uint8_t> toJvm, toDebugger;
  EXPECT_FALSE(guard.fromDebugger(in.data(), in.size(), toJvm, toDebugger));
}

}  // namespace
}  // namespace retrace::launcher
