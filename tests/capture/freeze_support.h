#pragma once
// Helpers shared by the cutover freeze tests (tests/capture/*_freeze_test.cc): status
// assertions, a one-row change set as change apply receives it, and polling a condition with
// a deadline (never a sleep as synchronisation).

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "connector/connector.h"
#include "support/status_assertions.h"

namespace peerlock::freeze_test {

// A change set upserting the row (id, note) into `table` (columns id, note; key id).
inline ChangeSet UpsertOne(const std::string& table, int64_t id, const std::string& note,
                           const std::string& position) {
  TableChanges t;
  t.table = table;
  t.columns = {"id", "note"};
  t.key = {"id"};
  t.deletes = RowBatch(1);
  t.upserts = RowBatch(2);
  t.upserts.AddInt(id);
  t.upserts.AddText(note);
  ChangeSet set{.stream = "peerlock_freeze_test", .position = position};
  set.tables.push_back(std::move(t));
  return set;
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a poll interval
  }
  return true;
}

// True when `text` contains `part`, for EXPECT_PRED2 style messages.
inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace peerlock::freeze_test
