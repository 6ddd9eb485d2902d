#include "engine/cutover/hook_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string_view>

#include "base/duration.h"
#include "base/log.h"
#include "base/process.h"

namespace peerlock {
namespace {

constexpr size_t kTailLines = 20;
constexpr size_t kKeptBytes = 64 * 1024;  // enough for 20 lines of any sane script

// The last `lines` lines of `text`, without the trailing newlines.
std::string LastLines(std::string_view text, size_t lines) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t start = text.size(), found = 0;
  while (start > 0) {
    size_t newline = text.rfind('\n', start - 1);
    if (newline == std::string_view::npos) {
      start = 0;
    } else if (++found == lines) {
      start = newline + 1;
      break;
    } else {
      start = newline;
    }
  }
  return std::string(text.substr(start));
}

// "hook smoke_test (/srv/peerlock.yaml:12:3)": how errors and logs name a hook.
std::string HookLabel(const Plan& plan, const HookSpec& hook) {
  if (plan.file.empty()) return "hook " + hook.name;
  if (hook.where.line <= 0) return fmt::format("hook {} ({})", hook.name, plan.file);
  return fmt::format("hook {} ({}:{}:{})", hook.name, plan.file, hook.where.line,
                     hook.where.column);
}

// The plan file's directory; ours when the plan was built from URLs.
std::string HookDirectory(const Plan& plan) {
  std::filesystem::path dir = std::filesystem::path(plan.file).parent_path();
  if (dir.empty()) {
    std::error_code ignored;  // empty then: the child simply inherits our directory
    dir = std::filesystem::current_path(ignored);
  }
  return dir.string();
}

}  // namespace

Result<HookOutcome> RunHook(const Plan& plan, const std::string& name,
                            const std::map<std::string, std::string>& env,
                            const CancelFlag* cancel) {
  const HookSpec* hook = plan.FindHook(name);
  if (hook == nullptr) return HookOutcome{};
  std::string dir = HookDirectory(plan);
  // A plan's timeout of 0s still kills: a hook may never hold a freeze open without bound.
  auto timeout = std::max(std::chrono::milliseconds(1),
                          std::chrono::milliseconds(std::llround(hook->timeout_seconds * 1000)));
  ProcessOptions options{.extra_env = env,
                         .working_dir = dir,
                         .timeout = timeout,
                         .max_output = kKeptBytes,
                         .merge_output = true,
                         .cancel = cancel};
  options.extra_env["PEERLOCK_HOOK"] = name;
  std::string label = HookLabel(plan, *hook);

  PL_LOG_INFO("{}: running in {} (timeout {})", label, dir, FormatDuration(timeout));
  auto started = std::chrono::steady_clock::now();
  PL_ASSIGN(ProcessResult result,
            WithContext(RunProcessWithin({"/bin/sh", "-c", hook->command}, options), label));
  HookOutcome outcome{
      .ran = true,
      .exit_code = result.exit_code,
      .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
      .output_tail = LastLines(result.out, kTailLines)};
  PL_LOG_INFO("{}: {} after {:.2f}s (exit code {})", label,
              result.timed_out || result.cancelled ? "killed" : "finished", outcome.seconds,
              outcome.exit_code);

  if ((result.timed_out || result.exit_code != 0) && !outcome.output_tail.empty()) {
    PL_LOG_INFO("{}: its last output lines:\n{}", label, outcome.output_tail);
  }
  if (result.cancelled)
    return Fail(Error(ErrorCode::kCancelled, label + " was interrupted (killed)")
                    .WithHint("run the command again: it resumes where it stopped"));
  if (result.timed_out) {
    return Fail(Error(ErrorCode::kBlocked, fmt::format("{} did not finish within {} (killed)",
                                                       label, FormatDuration(timeout)))
                    .WithHint(fmt::format("raise hooks.timeout (or {}'s own timeout) in the "
                                          "plan, or fix the script so it finishes sooner",
                                          name)));
  }
  if (result.exit_code != 0) {
    std::string last_line = LastLines(outcome.output_tail, 1);
    std::string message = fmt::format("{} exited with code {}", label, result.exit_code);
    message += last_line.empty() ? ", printing nothing" : fmt::format(": {}", last_line);
    return Fail(Error(ErrorCode::kBlocked, std::move(message))
                    .WithHint(fmt::format("fix the script, or run it by hand in {} with "
                                          "PEERLOCK_HOOK={} to see why it fails",
                                          dir, name)));
  }
  return outcome;
}

}  // namespace peerlock
