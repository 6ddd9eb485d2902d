#pragma once
// "Plan versioned" evidence: whether the plan file is committed in a git repository and
// unchanged since its last commit, asked of `git` itself (base/process.h). Blocks on git;
// thread-safe.

#include <nlohmann/json.hpp>
#include <string>

namespace peerlock {

struct PlanVersion {
  bool versioned = false;  // committed and unchanged
  std::string commit;      // the last commit that touched the file
  std::string committed_at;
  std::string evidence;  // one line: what git said, or why it is not versioned
};

// Never fails: a missing git, a file outside a repository, an untracked or modified file are
// all answers (versioned = false, with the reason and the fix in `evidence`).
PlanVersion CheckPlanVersion(const std::string& plan_file);

nlohmann::json PlanVersionToJson(const PlanVersion& version);

}  // namespace peerlock
