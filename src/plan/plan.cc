#include "plan/plan.h"

#include "base/strings.h"

namespace peerlock {

bool Plan::Includes(const std::string& table) const {
  bool included = false;
  for (const auto& glob : include) {
    if (GlobMatch(glob, table)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& glob : exclude) {
    if (GlobMatch(glob, table)) return false;
  }
  return true;
}

const TableTransform* Plan::TransformFor(const std::string& table) const {
  auto it = transforms.find(table);
  return it == transforms.end() ? nullptr : &it->second;
}

Plan PlanFromUrls(const std::string& source_url, const std::string& target_url) {
  Plan plan;
  plan.source.url = source_url;
  plan.target.url = target_url;
  return plan;
}

}  // namespace peerlock
