#pragma once
// Plain-text formatting shared by the Markdown and HTML reports, so both word values the same
// way. Results are unescaped: each renderer escapes for its own syntax. Pure functions reading
// report-model JSON (report_model.h) tolerantly; they never throw. Thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerlock {

// Shown where the records hold no value.
inline constexpr const char* kMissingText = "n/a";

// The integer at `key` in digits, or kMissingText.
std::string CountText(const nlohmann::json& object, const char* key);
// Seconds at `key` as "1m05s"/"3.2s", or kMissingText.
std::string DurationText(const nlohmann::json& object, const char* key);
// A rate at `key` as "12345.6", or kMissingText.
std::string RateText(const nlohmann::json& object, const char* key);
// true/false at `key` as "yes"/"no", or kMissingText.
std::string YesNoText(const nlohmann::json& object, const char* key);
// A string at `key`, or `fallback` when it is missing or empty.
std::string StringText(const nlohmann::json& object, const char* key,
                       const char* fallback = kMissingText);

// A run summary as (label, value) lines: well-known fields first in a fixed order, then the
// rest alphabetically; error, warnings and foreign-key problems are left to their own sections.
std::vector<std::pair<std::string, std::string>> SummaryFacts(const nlohmann::json& summary);

// A row key of a difference: {"id": 5, "region": "eu"} -> "id=5, region=eu".
std::string KeyText(const nlohmann::json& key);
// Compact JSON, cut to `max_chars` with "..." when longer.
std::string ShortJson(const nlohmann::json& value, size_t max_chars = 160);
// "run #3 (copy)".
std::string RunTitle(const nlohmann::json& run);
// `text` safe inside HTML/SVG text and attribute values (& < > " ' escaped).
std::string MarkupEscape(std::string_view text);

}  // namespace peerlock
