#include "proxy/host_port.h"

#include <gtest/gtest.h>

#include "proxy/control_protocol.h"

namespace peerlock {
namespace {

TEST(ParseHostPort, ReadsNamesIpsBracketedIpv6AndAnEmptyHost) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:6432", "x").value(), (HostPort{"127.0.0.1", 6432}));
  EXPECT_EQ(ParseHostPort(" db.internal:5432 ", "x").value(), (HostPort{"db.internal", 5432}));
  EXPECT_EQ(ParseHostPort("[::1]:3306", "x").value(), (HostPort{"::1", 3306}));
  EXPECT_EQ(ParseHostPort(":6432", "x").value(), (HostPort{"127.0.0.1", 6432}));
  EXPECT_EQ(ParseHostPort("localhost:0", "x", /*allow_port_zero=*/true).value().port, 0);
}

TEST(ParseHostPort, NamesTheFlagAndTheProblem) {
  for (const char* text : {"localhost", "host:", "host:port", "host:70000", "host:0", "::1:5432",
                           "[::1]5432", "a b:1", "/tmp/sock:1"}) {
    auto parsed = ParseHostPort(text, "--listen");
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("--listen is '"), std::string::npos);
    EXPECT_NE(parsed.error().hint().find("HOST:PORT"), std::string::npos);
  }
}

TEST(HostPort, PrintsIpv6InBrackets) {
  EXPECT_EQ((HostPort{"::1", 5432}).ToString(), "[::1]:5432");
  EXPECT_EQ((HostPort{"db", 5432}).ToString(), "db:5432");
}

TEST(ControlProtocol, RequestsRoundTripAndBadOnesAreRefused) {
  auto request = DecodeControlRequest(
      EncodeControlRequest({.op = ControlOp::kSwitch, .backend = HostPort{"10.0.0.2", 5433}}));
  ASSERT_TRUE(request.has_value()) << request.error().ToString();
  EXPECT_EQ(request->op, ControlOp::kSwitch);
  EXPECT_EQ(request->backend, (HostPort{"10.0.0.2", 5433}));
  EXPECT_EQ(DecodeControlRequest(R"({"op":"drain"})").value().op, ControlOp::kDrain);
  for (const char* bad :
       {"", "status", R"({"op":"explode"})", R"({"op":"switch"})",
        R"({"op":"switch","backend":"nope"})", R"({"op":"hold","backend":"a:1"})"}) {
    auto decoded = DecodeControlRequest(bad);
    ASSERT_FALSE(decoded.has_value()) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ControlProtocol, RepliesCarryTheStatusOrTheError) {
  ProxyStatus status{.state = ProxyState::kDraining,
                     .listen = "127.0.0.1:1",
                     .backend = "b:2",
                     .held = 3,
                     .switches = 2,
                     .bytes_to_client = 1 << 20};
  auto back = DecodeControlReply(EncodeControlReply(status));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(ProxyStatusToJson(*back), ProxyStatusToJson(status));
  auto error = DecodeControlReply(EncodeControlReply(
      Fail(Error(ErrorCode::kConnection, "cannot resolve x:1").WithHint("check the host"))));
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().code(), ErrorCode::kConnection);
  EXPECT_EQ(error.error().message(), "cannot resolve x:1");
  EXPECT_EQ(error.error().hint(), "check the host");
  EXPECT_FALSE(DecodeControlReply("garbage").has_value());
}

}  // namespace
}  // namespace peerlock
