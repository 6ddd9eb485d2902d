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

namespace {
template <typename Spec>
const Spec* FindNamed(const std::vector<Spec>& specs, const std::string& name) {
  for (const Spec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}
}  // namespace

const SystemSpec* Plan::FindSystem(const std::string& name) const {
  return FindNamed(systems, name);
}
const WaveSpec* Plan::FindWave(const std::string& name) const { return FindNamed(waves, name); }
const HookSpec* Plan::FindHook(const std::string& name) const { return FindNamed(hooks, name); }

Plan PlanFromUrls(const std::string& source_url, const std::string& target_url) {
  Plan plan;
  plan.source.url = source_url;
  plan.target.url = target_url;
  return plan;
}

}  // namespace peerlock
