#pragma once
// Elapsed time for reports and progress: seconds, with fractions, on the monotonic clock (never
// jumps with the wall clock). Pure; thread-safe.

#include <chrono>

namespace peerlock {

// Seconds from `start` (a std::chrono::steady_clock::now()) until now.
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace peerlock
