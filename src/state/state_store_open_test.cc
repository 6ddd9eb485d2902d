#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "state/state_store.h"
#include "support/child_processes.h"

namespace peerlock {
namespace {

using testing::ScratchDir;

// A sync started in the background and a `sync --status` polling it open a fresh state store at
// the same moment: each sets up WAL and the schema, and neither may fail because the other
// holds the file for an instant ("database is locked").
TEST(StateStoreOpen, ProcessesOpeningAFreshStoreAtOnceAllSucceed) {
  for (int round = 0; round < 15; ++round) {
    ScratchDir dir("state-open");
    const std::string path = (dir.path() / "state").string();
    std::vector<std::string> failures(4);
    std::vector<std::thread> openers;
    for (size_t i = 0; i < failures.size(); ++i)
      openers.emplace_back([&, i] {
        auto store = StateStore::Open(path);
        if (!store) {
          failures[i] = store.error().ToString();
          return;
        }
        auto run = (*store)->StartRun("m", "copy", "s", "t", nlohmann::json::object());
        if (!run) failures[i] = run.error().ToString();
      });
    for (auto& t : openers) t.join();
    for (const auto& f : failures) ASSERT_EQ(f, "") << "round " << round;
  }
}

}  // namespace
}  // namespace peerlock
