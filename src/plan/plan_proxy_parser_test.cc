#include <gtest/gtest.h>

#include "plan/plan.h"

namespace peerlock {
namespace {

constexpr char kEndpoints[] = R"yaml(source:
  url: postgresql://app@db1:5432/shop
target:
  url: postgresql://app@db2:5432/shop
)yaml";

Result<Plan> WithProxy(const std::string& section) {
  return ParsePlan(std::string(kEndpoints) + section, "/p/peerlock.yaml");
}

TEST(PlanProxySection, ReadsEveryKey) {
  auto plan = WithProxy(R"yaml(proxy:
  listen: 0.0.0.0:6432
  backend: "[::1]:5433"
  hold_timeout: 2.5s
  grace: 500ms
  control: /run/peerlock/proxy.sock
)yaml");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->proxy.listen, (HostPort{"0.0.0.0", 6432}));
  EXPECT_EQ(plan->proxy.backend, (HostPort{"::1", 5433}));
  EXPECT_EQ(plan->proxy.hold_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(plan->proxy.grace, std::chrono::milliseconds(500));
  EXPECT_EQ(plan->proxy.control, "/run/peerlock/proxy.sock");
}

TEST(PlanProxySection, ListenMayLetTheKernelPickThePort) {
  auto plan = WithProxy("proxy:\n  listen: 127.0.0.1:0\n");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->proxy.listen, (HostPort{"127.0.0.1", 0}));
}

TEST(PlanProxySection, DefaultsWhenAbsent) {
  auto plan = WithProxy("");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_FALSE(plan->proxy.listen.has_value());
  EXPECT_FALSE(plan->proxy.backend.has_value());
  EXPECT_EQ(plan->proxy.hold_timeout, std::chrono::seconds(10));
  EXPECT_EQ(plan->proxy.grace, std::chrono::seconds(5));
}

// The error points at the value's line and column and says what to write instead.
void ExpectError(const std::string& section, const std::string& location,
                 const std::string& message, const std::string& hint) {
  auto plan = WithProxy(section);
  ASSERT_FALSE(plan.has_value()) << section;
  EXPECT_EQ(plan.error().code(), ErrorCode::kPlan);
  EXPECT_NE(plan.error().message().find("/p/peerlock.yaml:" + location + ": "), std::string::npos)
      << plan.error().message();
  EXPECT_NE(plan.error().message().find(message), std::string::npos) << plan.error().message();
  EXPECT_NE(plan.error().hint().find(hint), std::string::npos) << plan.error().hint();
}

TEST(PlanProxySection, LocatesBadValues) {
  ExpectError("proxy:\n  listen: 6432\n", "6:11", "proxy.listen is '6432'", "HOST:PORT");
  ExpectError("proxy:\n  backend: db:99999\n", "6:12", "port must be a number", "HOST:PORT");
  ExpectError("proxy:\n  backend: db:0\n", "6:12", "port must be a number", "HOST:PORT");
  ExpectError("proxy:\n  hold_timeout: soon\n", "6:17", "proxy.hold_timeout is 'soon'",
              "units ms, s, m, h");
  ExpectError("proxy:\n  hold_timeout: 0s\n", "6:17", "proxy.hold_timeout is 0", "10s");
  ExpectError("proxy:\n  grace: -1s\n", "6:10", "proxy.grace is '-1s'", "drains");
  ExpectError("proxy:\n  listne: :6432\n", "6:3", "listne", "did you mean 'listen'?");
}

}  // namespace
}  // namespace peerlock
