#pragma once
// The report model: what the state store recorded about a migration, gathered once and
// normalised into one JSON object. The JSON report is this object; the Markdown and HTML
// renderers only lay it out, so every format carries the same content.
//
// Shape (a field the records do not hold is null, or absent where noted):
//   format_version  1
//   generated_at    "2026-11-25T14:03:07.123Z"
//   migration       the requested key, "" for every migration
//   migrations      [{key, source, target}]   (URLs as recorded: already redacted)
//   runs            [Run], oldest first
//   incidents       [{run, kind, status, message}]  (failed, interrupted, differences)
//   checklist       [{migration, id, item, done, state: "done"|"not yet", evidence}]
//   audit           {entries, chain_intact, chain_entries, problems: [..],
//                    shown: [{seq, at, migration, action, detail}], omitted}
// Run:    {id, kind, migration, source, target, started_at, finished_at ("" while running),
//          duration_seconds, status, summary (as recorded), error (absent unless recorded),
//          warnings: [..], foreign_key_problems: [..], tables: [Table],
//          steps: [{name, status, started_at, finished_at, duration_seconds, detail}]}
// Table:  copy   {table, source_table, target_table, rows, seconds, rows_per_second, chunks}
//         verify {table, source_rows, target_rows, equal, difference_count,
//                 differences: [{kind, key, columns}] (first kMaxDifferencesPerTable),
//                 differences_omitted}
//         other  {table, result (as recorded)}
//
// Reads the store only; blocks on its SQLite file. Never throws.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/error.h"
#include "state/state_store.h"

namespace peerlock {

inline constexpr int kMaxDifferencesPerTable = 20;
inline constexpr int kMaxAuditEntriesShown = 50;

// Gathers the model for `migration` (every migration when empty). kNotFound when the store
// holds no run of it; the store's error when a read fails. An audit chain that cannot be read
// is reported inside the model (audit.problems), not as a failure: the rest is still worth
// seeing.
Result<nlohmann::json> BuildReportModel(StateStore& store, const std::string& migration);

// Seconds from one NowUtc() timestamp to another; nullopt when either does not parse.
std::optional<double> SecondsBetween(const std::string& start, const std::string& end);

// Tolerant readers of recorded JSON: nullopt (or `fallback`) when `object` is not an object,
// lacks `key`, or holds a value of another type. They never throw.
std::optional<double> JsonNumber(const nlohmann::json& object, const char* key);
std::optional<int64_t> JsonInt(const nlohmann::json& object, const char* key);
std::optional<bool> JsonBool(const nlohmann::json& object, const char* key);
std::string JsonString(const nlohmann::json& object, const char* key,
                       const std::string& fallback = "");
// The array at `key`, or an empty array.
const nlohmann::json& JsonArray(const nlohmann::json& object, const char* key);
// The value at `key` whatever its type, or null.
const nlohmann::json& JsonField(const nlohmann::json& object, const char* key);

// Compact JSON text; invalid UTF-8 is replaced, never thrown on.
std::string JsonText(const nlohmann::json& value);

}  // namespace peerlock
