#include "engine/check/credential_rotation.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>

#include "base/time_text.h"
#include "connector/endpoint.h"
#include "engine/report/report_model.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The cutover that made the target the live database: the latest succeeded cutover, unless a
// rollback succeeded after it. nullptr when there is none.
const json* FinalCutover(const json& runs, const std::string& migration) {
  const json* cutover = nullptr;
  for (const auto& run : runs) {
    if (JsonString(run, "migration") != migration || JsonString(run, "status") != "succeeded")
      continue;
    const std::string kind = JsonString(run, "kind");
    if (kind == "cutover") cutover = &run;
    if (kind == "rollback") cutover = nullptr;
  }
  return cutover;
}

std::string Days(double seconds) { return fmt::format("{:.0f} days", seconds / 86400); }

}  // namespace

std::vector<CredentialFacts> CredentialFactsOf(const Plan& plan) {
  std::vector<CredentialFacts> out;
  for (const auto& [side, spec] : {std::pair{"source", &plan.source}, {"target", &plan.target}}) {
    auto endpoint = Endpoint::Parse(spec->url);
    if (!endpoint || endpoint->scheme() == "sqlite") continue;  // a file has no password
    CredentialFacts facts{.side = side, .who = endpoint->Redacted()};
    const bool postgres = endpoint->scheme().starts_with("postgres");
    if (!spec->password_env.empty()) {
      facts.secret = "the environment variable " + spec->password_env;
    } else if (!spec->password_file.empty()) {
      facts.secret = "the file " + spec->password_file;
      struct stat st;
      if (stat(spec->password_file.c_str(), &st) == 0)
        facts.changed_at = UtcText(std::chrono::system_clock::from_time_t(st.st_mtime));
    } else if (!endpoint->password().empty()) {
      facts.secret = plan.file.empty() ? "the URL on the command line" : "the plan's URL";
      facts.in_plan_url = true;
    } else {
      facts.secret = postgres ? "the client's defaults (PGPASSWORD, ~/.pgpass)"
                              : "the client's defaults (MYSQL_PWD)";
    }
    out.push_back(std::move(facts));
  }
  return out;
}

json CredentialReminders(const std::vector<CredentialFacts>& sides, const json& runs,
                         const std::string& migration, std::optional<double> max_age_seconds,
                         const std::string& now) {
  const json* cutover = FinalCutover(runs, migration);
  const std::string cutover_at = cutover ? JsonString(*cutover, "finished_at") : "";
  json out = json::array();
  for (const CredentialFacts& side : sides) {
    bool due = false;
    std::vector<std::string> why;
    if (side.in_plan_url) {
      due = true;
      why.push_back(
          "the password is written in clear in the URL: anyone who read the plan, its git "
          "history or the shell's history has it; rotate it and give the new one by "
          "password_env or password_file");
    }
    double age = -1;  // unknown
    if (!side.changed_at.empty())
      if (auto seconds = SecondsBetween(side.changed_at, now)) age = *seconds;
    const bool changed_since_cutover =
        cutover && !side.changed_at.empty() && side.changed_at > cutover_at;
    if (cutover && !changed_since_cutover) {
      due = true;
      why.push_back(fmt::format(
          "the cutover of {} is done: the migration's credentials were handed to PeerLock, its "
          "hooks and whoever ran them; rotate them now that they have done their job",
          cutover_at));
    } else if (changed_since_cutover) {
      why.push_back("changed at " + side.changed_at + ", after the cutover");
    }
    const double max_age = max_age_seconds.value_or(-1);
    if (age >= 0 && max_age >= 0 && age > max_age) {
      due = true;
      why.push_back(fmt::format("unchanged for {}, over the plan's credential_max_age of {}",
                                Days(age), Days(max_age)));
    } else if (age >= 0 && max_age >= 0) {
      why.push_back(fmt::format("changed {} ago; the plan's credential_max_age is {}", Days(age),
                                Days(max_age)));
    }
    if (why.empty()) why.push_back("rotate it once the cutover is done");
    std::string reason;
    for (const std::string& w : why) reason += (reason.empty() ? "" : "; ") + w;
    out.push_back(
        {{"side", side.side},
         {"who", side.who},
         {"secret", side.secret},
         {"due", due},
         {"reason", reason},
         {"changed_at", side.changed_at.empty() ? json(nullptr) : json(side.changed_at)}});
  }
  return out;
}

std::string CredentialRemindersText(const json& reminders) {
  if (!reminders.is_array() || reminders.empty()) return "";
  std::string out = "Credential rotation:\n";
  for (const auto& r : reminders) {
    out +=
        fmt::format("  [{}] {} {} (password from {})\n      {}\n",
                    JsonBool(r, "due").value_or(false) ? "rotate" : "ok    ", JsonString(r, "side"),
                    JsonString(r, "who"), JsonString(r, "secret"), JsonString(r, "reason"));
  }
  return out;
}

}  // namespace peerlock
