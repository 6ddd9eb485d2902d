#include "proxy/wire_frames.h"

#include <gtest/gtest.h>

#include <string>

namespace peerlock {
namespace {

std::string BigEndian32(uint32_t v) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  return out;
}

// A PostgreSQL startup packet with `code` and `body`.
std::string Startup(uint32_t code, const std::string& body = "") {
  return BigEndian32(static_cast<uint32_t>(8 + body.size())) + BigEndian32(code) + body;
}

// A PostgreSQL server message of `type` with `body`.
std::string Message(char type, const std::string& body) {
  return std::string(1, type) + BigEndian32(static_cast<uint32_t>(4 + body.size())) + body;
}

// A MySQL packet with sequence id `sequence`.
std::string Packet(uint8_t sequence, const std::string& payload) {
  std::string out;
  const uint32_t length = static_cast<uint32_t>(payload.size());
  for (int shift = 0; shift < 24; shift += 8) out.push_back(static_cast<char>(length >> shift));
  out.push_back(static_cast<char>(sequence));
  return out + payload;
}

// A MySQL handshake response whose capability flags are `capabilities`.
std::string HandshakeResponse(uint32_t capabilities) {
  std::string payload;
  for (int shift = 0; shift < 32; shift += 8)
    payload.push_back(static_cast<char>(capabilities >> shift));
  return Packet(1, payload + std::string(28, 'u'));
}

// Feeds `bytes` one byte at a time: framing must not depend on how reads split the stream.
void Trickle(WireFrames& frames, const std::string& bytes, bool upstream) {
  for (char c : bytes) {
    if (upstream)
      frames.Upstream(std::string_view(&c, 1));
    else
      frames.Downstream(std::string_view(&c, 1));
  }
}

TEST(WireFrames, PostgresEndsASessionAtAMessageBoundaryOnly) {
  WireFrames frames(WireProtocol::kPostgres);
  frames.Upstream(Startup(196608, std::string("user\0peerlock\0\0", 15)));
  const std::string ready = Message('R', BigEndian32(0)) + Message('Z', "I");
  frames.Downstream(ready);
  std::string bye = frames.Termination("closed by the proxy");
  ASSERT_FALSE(bye.empty());
  EXPECT_EQ(bye, PostgresFatal("57P01", "closed by the proxy"));
  // Half of a DataRow passed on: the client would read the error as the rest of it.
  const std::string row = Message('D', std::string(100, 'x'));
  frames.Downstream(row.substr(0, 50));
  EXPECT_EQ(frames.Termination("m"), "");
  frames.Downstream(row.substr(50));
  EXPECT_NE(frames.Termination("m"), "");
  Trickle(frames, Message('C', "SELECT 1") + Message('Z', "I"), /*upstream=*/false);
  EXPECT_NE(frames.Termination("m"), "");
}

TEST(WireFrames, PostgresFollowsARefusedSslRequestAndStopsAtAnAcceptedOne) {
  WireFrames refused(WireProtocol::kPostgres);
  Trickle(refused, Startup(80877103), /*upstream=*/true);
  EXPECT_EQ(refused.Termination("m"), "") << "the client waits for a one-byte answer";
  refused.Downstream("N");
  refused.Upstream(Startup(196608, "x"));
  refused.Downstream(Message('R', BigEndian32(0)));
  EXPECT_NE(refused.Termination("m"), "");

  WireFrames accepted(WireProtocol::kPostgres);
  accepted.Upstream(Startup(80877103));
  accepted.Downstream("S");
  accepted.Downstream(std::string(5, '\x16'));  // TLS records: no PostgreSQL framing
  EXPECT_EQ(accepted.Termination("m"), "");
}

TEST(WireFrames, PostgresDirectTlsIsNotTakenForAStartupPacket) {
  WireFrames frames(WireProtocol::kPostgres);
  frames.Upstream(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));  // ClientHello
  frames.Downstream(std::string("\x16\x03\x03\x00\x7a\x02", 6));
  EXPECT_EQ(frames.Termination("m"), "");
}

TEST(WireFrames, PostgresCancelRequestIsNoSession) {
  WireFrames frames(WireProtocol::kPostgres);
  frames.Upstream(Startup(80877102, std::string(8, 'k')));
  EXPECT_EQ(frames.Termination("m"), "");
}

TEST(WireFrames, MysqlIdleClientGetsSequenceOneAndAWaitingOneTheNext) {
  WireFrames frames(WireProtocol::kMysql);
  Trickle(frames, Packet(0, std::string(60, 'g')), /*upstream=*/false);  // the greeting
  std::string early = frames.Termination("m");
  ASSERT_FALSE(early.empty());
  EXPECT_EQ(early[3], 2) << "read after the client's handshake response (1)";
  Trickle(frames, HandshakeResponse(0x000fa685 & ~0x820u), /*upstream=*/true);
  frames.Downstream(Packet(2, std::string("\0\0\0\2\0\0\0", 7)));  // OK: logged in
  std::string idle = frames.Termination("m");
  ASSERT_FALSE(idle.empty());
  EXPECT_EQ(idle, MysqlServerShutdown(1, "m"));
  frames.Upstream(Packet(0, "\x03SELECT SLEEP(10)"));  // a query waiting for its answer
  EXPECT_EQ(frames.Termination("m"), MysqlServerShutdown(1, "m"));
  frames.Downstream(Packet(1, "\x01"));  // a result set's column count: the answer goes on
  frames.Downstream(Packet(2, std::string(40, 'c')).substr(0, 10));
  EXPECT_EQ(frames.Termination("m"), "") << "mid-packet";
}

TEST(WireFrames, MysqlBeforeTheGreetingTheErrorIsTheFirstPacket) {
  WireFrames frames(WireProtocol::kMysql);
  EXPECT_EQ(frames.Termination("m"), MysqlServerShutdown(0, "m"));
}

TEST(WireFrames, MysqlTlsOrCompressionStopsFollowing) {
  for (uint32_t flag : {0x800u, 0x20u, 1u << 26}) {
    WireFrames frames(WireProtocol::kMysql);
    frames.Downstream(Packet(0, std::string(60, 'g')));
    frames.Upstream(HandshakeResponse(0x200 | flag));
    frames.Downstream(Packet(2, std::string(7, '\0')));
    EXPECT_EQ(frames.Termination("m"), "") << flag;
  }
}

TEST(WireFrames, RawHasNothingToSay) {
  WireFrames frames(WireProtocol::kRaw);
  frames.Downstream("anything");
  EXPECT_EQ(frames.Termination("m"), "");
}

}  // namespace
}  // namespace peerlock
