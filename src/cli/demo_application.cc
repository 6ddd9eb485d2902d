#include "cli/demo_application.h"

#include <sqlite3.h>

#include <chrono>
#include <fstream>

namespace peerlock {

namespace {

int64_t NextOrderId(const std::string& db_path) {
  sqlite3* db = nullptr;
  int64_t next = 1;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) + 1 FROM orders", -1, &stmt, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    next = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return next;
}

}  // namespace

DemoApplication::DemoApplication(std::string dir, std::string source_db, std::string target_db)
    : dir_(std::move(dir)),
      source_db_(std::move(source_db)),
      target_db_(std::move(target_db)),
      next_id_(NextOrderId(source_db_)) {
  thread_ = std::thread([this] { Loop(); });
}

void DemoApplication::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<int64_t> DemoApplication::Acknowledged() const {
  std::lock_guard lock(mu_);
  return acknowledged_;
}

bool DemoApplication::WaitForOrders(int64_t n) const {
  const int64_t goal = count_ + n;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_ < goal) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void DemoApplication::Loop() {
  while (!stop_) {
    std::string active;
    std::ifstream(dir_ + "/active") >> active;
    const std::string& db_path = active == "target" ? target_db_ : source_db_;
    sqlite3* db = nullptr;
    bool ok = false;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      const std::string sql =
          "INSERT INTO orders (id, customer_id, ordered_on, status, total) VALUES (" +
          std::to_string(next_id_) + ", 1, '2026-11-30', 'pending', 9.99)";
      ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    sqlite3_close(db);
    if (ok) {
      std::lock_guard lock(mu_);
      acknowledged_.push_back(next_id_++);
      ++count_;
    } else {
      ++refused_;
    }
    // An application's pace between requests (~300 orders a second), not synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(ok ? 3 : 20));
  }
}

}  // namespace peerlock
