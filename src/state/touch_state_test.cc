#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "state/state_store.h"
#include "support/child_processes.h"

namespace peerlock {
namespace {

using testing::ScratchDir;
using Touched = std::map<std::string, std::vector<std::string>>;

TEST(TouchWatch, EpochsAcknowledgementsAndKeys) {
  ScratchDir dir("touch-watch");
  auto store = StateStore::Open(dir.path().string());
  ASSERT_TRUE(store) << store.error().message();
  StateStore& state = **store;

  auto none = state.LoadTouchWatch("m");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->epoch, 0) << "nobody watches before a cutover starts to";

  auto first = state.StartTouchWatch("m");
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(state.LoadTouchWatch("m")->acked, 0);
  ASSERT_TRUE(state.AckTouchWatch("m", 1));
  EXPECT_EQ(state.LoadTouchWatch("m")->acked, 1);

  // Keys are kept once each, per table, under their epoch.
  ASSERT_TRUE(state.RecordTouched("m", 1, "orders", {"[{\"i\":\"1\"}]", "[{\"i\":\"2\"}]"}));
  ASSERT_TRUE(state.RecordTouched("m", 1, "orders", {"[{\"i\":\"2\"}]", "[{\"i\":\"3\"}]"}));
  ASSERT_TRUE(state.RecordTouched("m", 1, "customers", {StateStore::kAllKeys}));
  ASSERT_TRUE(state.RecordTouched("other", 1, "orders", {"[{\"i\":\"9\"}]"}));
  auto touched = state.LoadTouched("m", 1);
  ASSERT_TRUE(touched);
  EXPECT_EQ(*touched,
            (Touched{{"customers", {"*"}},
                     {"orders", {"[{\"i\":\"1\"}]", "[{\"i\":\"2\"}]", "[{\"i\":\"3\"}]"}}}));

  // A new watch keeps the previous one's keys (read once it is acknowledged) and forgets older
  // ones; an acknowledgement of an old epoch does not count.
  auto second = state.StartTouchWatch("m");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 2);
  EXPECT_EQ(state.LoadTouched("m", 1)->at("orders").size(), 3u);
  ASSERT_TRUE(state.AckTouchWatch("m", 1));
  EXPECT_EQ(state.LoadTouchWatch("m")->acked, 1);
  ASSERT_TRUE(state.RecordTouched("m", 2, "orders", {"[{\"i\":\"4\"}]"}));
  EXPECT_EQ(*state.StartTouchWatch("m"), 3);
  EXPECT_TRUE(state.LoadTouched("m", 1)->empty());
  EXPECT_EQ(state.LoadTouched("m", 2)->size(), 1u);
  ASSERT_TRUE(state.RecordTouched("m", 3, "orders", {"[{\"i\":\"5\"}]"}));

  // Stopped: nobody watches, nothing is kept, and the next watch still gets a new number.
  ASSERT_TRUE(state.StopTouchWatch("m"));
  EXPECT_EQ(state.LoadTouchWatch("m")->epoch, 0);
  EXPECT_TRUE(state.LoadTouched("m", 3)->empty());
  EXPECT_EQ(*state.StartTouchWatch("m"), 4);
  EXPECT_EQ(state.LoadTouched("other", 1)->size(), 1u) << "another migration's keys are its own";
}

}  // namespace
}  // namespace peerlock
