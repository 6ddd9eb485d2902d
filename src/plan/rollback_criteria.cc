#include "plan/rollback_criteria.h"

#include <cctype>

namespace peerlock {
namespace {

// Lower case, '_' and '-' as spaces, single spaces, trimmed.
std::string Normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    char n = (c == '_' || c == '-')
                 ? ' '
                 : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isspace(static_cast<unsigned char>(n))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += n;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

RollbackCriterion ClassifyRollbackCriterion(std::string_view text) {
  const std::string n = Normalized(text);
  for (const char* form : {"smoke test fails", "smoke test failed", "smoke tests fail"})
    if (n == form) return RollbackCriterion::kSmokeTestFails;
  for (const char* form : {"downtime exceeds max downtime", "freeze exceeds max downtime"})
    if (n == form) return RollbackCriterion::kDowntimeExceedsMax;
  return RollbackCriterion::kForPeople;
}

bool RollsBackOn(const std::vector<std::string>& when, RollbackCriterion criterion) {
  for (const std::string& w : when)
    if (ClassifyRollbackCriterion(w) == criterion) return true;
  return false;
}

std::vector<std::string> CriteriaForPeople(const std::vector<std::string>& when) {
  std::vector<std::string> out;
  for (const std::string& w : when)
    if (ClassifyRollbackCriterion(w) == RollbackCriterion::kForPeople) out.push_back(w);
  return out;
}

}  // namespace peerlock
