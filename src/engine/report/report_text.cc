#include "engine/report/report_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/strings.h"
#include "engine/report/report_model.h"

namespace peerlock {
namespace {

using nlohmann::json;

// The fields the engine records, in the order a reader wants them.
constexpr std::array<std::string_view, 10> kFactOrder = {
    "tables",          "rows",    "bytes", "chunks",      "seconds",
    "rows_per_second", "resumed", "equal", "differences", "rows_compared"};
constexpr std::array<std::string_view, 3> kOwnSections = {"error", "warnings",
                                                          "foreign_key_problems"};

std::string Label(std::string_view key) {
  std::string label(key);
  std::replace(label.begin(), label.end(), '_', ' ');
  return label;
}

std::string ValueText(std::string_view key, const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) {
    std::string digits = JsonText(value);
    if (key == "bytes") digits += " (" + HumanBytes(value.get<double>()) + ")";
    return digits;
  }
  if (value.is_number()) {
    double number = value.get<double>();
    if (key == "seconds") return fmt::format("{:.2f} ({})", number, HumanDuration(number));
    return fmt::format("{:.2f}", number);
  }
  if (value.is_array()) {
    bool scalars =
        std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_primitive(); });
    if (scalars) {
      std::vector<std::string> parts;
      for (const auto& v : value) parts.push_back(ValueText("", v));
      return Join(parts, ", ");
    }
  }
  return ShortJson(value);
}

}  // namespace

std::string CountText(const json& object, const char* key) {
  auto value = JsonInt(object, key);
  return value ? std::to_string(*value) : kMissingText;
}

std::string DurationText(const json& object, const char* key) {
  auto value = JsonNumber(object, key);
  return value ? HumanDuration(*value) : kMissingText;
}

std::string RateText(const json& object, const char* key) {
  auto value = JsonNumber(object, key);
  return value ? fmt::format("{:.1f}", *value) : kMissingText;
}

std::string YesNoText(const json& object, const char* key) {
  auto value = JsonBool(object, key);
  return value ? (*value ? "yes" : "no") : kMissingText;
}

std::string StringText(const json& object, const char* key, const char* fallback) {
  std::string value = JsonString(object, key);
  return value.empty() ? fallback : value;
}

std::vector<std::pair<std::string, std::string>> SummaryFacts(const json& summary) {
  std::vector<std::pair<std::string, std::string>> facts;
  if (!summary.is_object()) return facts;
  for (std::string_view key : kFactOrder) {
    auto it = summary.find(std::string(key));
    if (it != summary.end() && !it->is_null()) facts.emplace_back(Label(key), ValueText(key, *it));
  }
  // nlohmann::json objects iterate in key order, so the rest is alphabetical.
  for (auto it = summary.begin(); it != summary.end(); ++it) {
    std::string_view key = it.key();
    auto known = [&](const auto& list) {
      return std::find(list.begin(), list.end(), key) != list.end();
    };
    if (it->is_null() || known(kFactOrder) || known(kOwnSections)) continue;
    facts.emplace_back(Label(key), ValueText(key, *it));
  }
  return facts;
}

std::string KeyText(const json& key) {
  if (!key.is_object()) return key.is_string() ? key.get<std::string>() : JsonText(key);
  std::vector<std::string> parts;
  for (auto it = key.begin(); it != key.end(); ++it)
    parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : JsonText(*it)));
  return Join(parts, ", ");
}

std::string ShortJson(const json& value, size_t max_chars) {
  std::string text = JsonText(value);
  if (text.size() <= max_chars) return text;
  // Cut on a UTF-8 character boundary so the result stays valid text.
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

std::string RunTitle(const json& run) {
  return fmt::format("run #{} ({})", JsonInt(run, "id").value_or(0), StringText(run, "kind"));
}

std::string MarkupEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace peerlock
