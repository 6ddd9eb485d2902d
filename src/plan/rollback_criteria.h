#pragma once
// The plan's rollback.when criteria that `peerlock cutover` evaluates itself. Any other text is
// a criterion for people: shown by `peerlock plan` and the cutover, never evaluated. Spelling is
// forgiving about case, '_' and '-' ("smoke_test fails" = "Smoke test fails"). Pure;
// thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace peerlock {

enum class RollbackCriterion {
  kSmokeTestFails,      // "smoke_test fails": applied whether written or not
  kDowntimeExceedsMax,  // "downtime exceeds max_downtime": the measured freeze is longer than
                        // objectives.max_downtime, checked once traffic runs on the target
  kForPeople,
};

RollbackCriterion ClassifyRollbackCriterion(std::string_view text);
bool RollsBackOn(const std::vector<std::string>& when, RollbackCriterion criterion);
// The criteria of `when` that PeerLock does not evaluate, as written.
std::vector<std::string> CriteriaForPeople(const std::vector<std::string>& when);

}  // namespace peerlock
