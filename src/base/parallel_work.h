#pragma once
// Items 0..count-1 run on up to `threads` threads, each with state of its own that open()
// makes first (a database connection: one connection cannot serve two threads). The first
// failure is returned; the other threads finish their current item and stop.
//   Status st = ForEachOnOwnState(parts.size(), cores, [&] { return OpenConnection(); },
//                                 [&](Connection& c, size_t k) { return Scan(c, parts[k]); });
// open() returns Result<S>; work(S&, size_t) returns Status. Thread-safe by construction: each
// item index is handed out once.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "base/error.h"

namespace peerlock {

template <class Open, class Work>
Status ForEachOnOwnState(size_t count, size_t threads, Open open, Work work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status failed;
  auto fail = [&](Error e) {
    stop = true;
    std::lock_guard lock(mu);
    if (failed) failed = Fail(std::move(e));
  };
  auto worker = [&] {
    auto state = open();
    if (!state) return fail(std::move(state.error()));
    while (!stop) {
      const size_t k = next++;
      if (k >= count) return;
      if (Status st = work(*state, k); !st) return fail(std::move(st.error()));
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 0; i < std::min(threads, count); ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return failed;
}

}  // namespace peerlock
