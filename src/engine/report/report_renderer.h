#pragma once
// The "lessons learned" report (ROADMAP phase 10): everything the state store recorded about a
// migration, rendered as Markdown, JSON or one self-contained HTML page.
//
// Content, in every format: a header (migration key, redacted source and target URLs), a
// timeline of runs, incidents (runs that failed, were interrupted or found differences), the
// checklist (each item ticked only from recorded evidence), one section per run (summary,
// warnings, steps, per-table results: copy throughput or verify outcome with at most 20
// differences per table) and the audit trail (entry count, hash-chain check, last 50 entries).
// The JSON object's shape is documented in report_model.h; Markdown and HTML are for people.
//
// Reading only: nothing is written to the store. Blocks on the store's SQLite file. Thread-safe
// as far as StateStore is (it serialises access); there is no other shared state.

#include <string>

#include "base/error.h"
#include "plan/plan.h"
#include "state/state_store.h"

namespace peerlock {

enum class ReportFormat { kMarkdown, kJson, kHtml };

// What to report on.
struct ReportInput {
  std::string migration;       // StateStore::MigrationKey; empty = every migration in the store
  const Plan* plan = nullptr;  // adds the plan section and its objectives to charts and lessons
};

// Renders every run of `migration` (every migration when empty) recorded in `store`, oldest
// first. Fields missing from run summaries or table results are shown as missing, never guessed.
// Fails with kNotFound when no run is recorded for `migration`, with the store's error when
// reading it fails, and never throws.
Result<std::string> RenderReport(StateStore& store, const std::string& migration,
                                 ReportFormat format);
Result<std::string> RenderReport(StateStore& store, const ReportInput& input, ReportFormat format);

// "md" or "markdown", "json", "html" (case-insensitive); kInvalidArgument naming the valid
// names otherwise.
Result<ReportFormat> ParseReportFormat(const std::string& name);

}  // namespace peerlock
