#include "engine/check/plan_version.h"

#include <filesystem>

#include "base/process.h"
#include "base/strings.h"

namespace peerlock {

PlanVersion CheckPlanVersion(const std::string& plan_file) {
  PlanVersion out;
  if (plan_file.empty()) {
    out.evidence =
        "no plan file: the migration was given as --source/--target; write one with "
        "`peerlock init` and commit it";
    return out;
  }
  std::filesystem::path path = std::filesystem::absolute(plan_file);
  std::string dir = path.parent_path().string();
  std::string name = path.filename().string();
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", dir});
    return RunProcess(args);
  };
  auto inside = git({"rev-parse", "--is-inside-work-tree"});
  if (!inside) {
    out.evidence = "git is not installed: install git to prove the plan is versioned";
    return out;
  }
  if (inside->exit_code != 0) {
    out.evidence = dir + " is not in a git repository: `git init` there and commit " + name;
    return out;
  }
  auto tracked = git({"ls-files", "--error-unmatch", "--", name});
  if (!tracked || tracked->exit_code != 0) {
    out.evidence = name + " is not committed: `git add " + name + " && git commit`";
    return out;
  }
  auto log = git({"log", "-1", "--format=%H %cI", "--", name});
  std::vector<std::string> parts = Split(log ? Trim(log->out) : "", ' ');
  if (parts.size() < 2) {
    out.evidence = name + " is staged but never committed: `git commit` it";
    return out;
  }
  out.commit = parts[0];
  out.committed_at = parts[1];
  // Staged or unstaged edits both mean the plan in use is not the reviewed one.
  auto status = git({"status", "--porcelain", "--", name});
  if (!status || status->exit_code != 0 || !Trim(status->out).empty()) {
    out.evidence = name + " changed since commit " + out.commit.substr(0, 12) +
                   ": commit the change (or `git diff " + name + "` to review it)";
    return out;
  }
  out.versioned = true;
  out.evidence = name + " is committed (" + out.commit.substr(0, 12) + ", " + out.committed_at +
                 ") and unchanged since";
  return out;
}

nlohmann::json PlanVersionToJson(const PlanVersion& v) {
  return {{"versioned", v.versioned},
          {"commit", v.commit},
          {"committed_at", v.committed_at},
          {"evidence", v.evidence}};
}

}  // namespace peerlock
