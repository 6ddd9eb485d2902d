#include "plan/plan_error.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace peerlock::plan_internal {

std::string LocationPrefix(const std::string& file, SourceLocation where) {
  if (file.empty()) return "";
  if (where.line <= 0) return file + ": ";
  return fmt::format("{}:{}:{}: ", file, where.line, where.column);
}

Error PlanError(const std::string& file, SourceLocation where, const std::string& what,
                const std::string& expected, std::string hint) {
  Error error(ErrorCode::kPlan, LocationPrefix(file, where) + what + ", expected " + expected);
  error.WithHint(std::move(hint));
  return error;
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates,
                       std::string otherwise) {
  if (auto match = ClosestMatch(word, candidates)) return "did you mean '" + *match + "'?";
  return otherwise;
}

std::string QuotedList(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "'" + words[i] + "'";
  }
  return out;
}

}  // namespace peerlock::plan_internal
