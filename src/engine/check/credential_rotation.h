#pragma once
// Credential rotation reminders (ROADMAP phase 8, hardening): which of the migration's database
// credentials should be rotated, and why, from the plan and the recorded runs. A migration
// hands its passwords to PeerLock, to hook scripts and to whoever runs the commands; once the
// cutover is final they have done their job and should change. Shown by `peerlock status` and
// `peerlock report`. Thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace peerlock {

// What is known of one side's credential. SQLite sides have none and are not listed.
struct CredentialFacts {
  std::string side;          // "source" or "target"
  std::string who;           // the endpoint's URL, password redacted
  std::string secret;        // where the password comes from, in words
  bool in_plan_url = false;  // the URL itself holds it (plan file or command line)
  std::string changed_at;    // when the secret last changed (a password_file's time), or ""
};

// What the plan says of each server side's password (SQLite sides have none). Reads the
// modification time of a password_file; nothing else.
std::vector<CredentialFacts> CredentialFactsOf(const Plan& plan);

// One reminder per side: {side, who, secret, due, reason, changed_at}. `runs`: report-model runs
// (oldest first; other migrations' ignored). `max_age_seconds`: the plan's
// objectives.credential_max_age. `now`: UTC as NowUtc() writes it. Due when the URL holds the
// password in clear, when a cutover succeeded (and no rollback followed) and the secret has not
// changed since, or when the secret is older than the maximum age.
nlohmann::json CredentialReminders(const std::vector<CredentialFacts>& sides,
                                   const nlohmann::json& runs, const std::string& migration,
                                   std::optional<double> max_age_seconds, const std::string& now);

std::string CredentialRemindersText(const nlohmann::json& reminders);

}  // namespace peerlock
