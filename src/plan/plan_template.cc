#include <fmt/format.h>

#include <cctype>
#include <string_view>

#include "base/strings.h"
#include "plan/plan.h"

namespace peerlock {
namespace {

// Plain words YAML would read as null or a boolean.
bool IsReservedWord(std::string_view text) {
  static constexpr std::string_view kWords[] = {"null", "~",  "true", "false", "yes",
                                                "no",   "on", "off",  "y",     "n"};
  std::string lower = ToLower(text);
  for (std::string_view word : kWords) {
    if (lower == word) return true;
  }
  return false;
}

// `text` as a YAML scalar that reads back as exactly `text`: plain when no character in it
// means something to YAML, double-quoted otherwise. In flow context ([...], {...}) and in keys
// ':' and ',' delimit, so fewer characters are safe there.
std::string Scalar(std::string_view text, bool flow) {
  bool plain = !text.empty() && !IsReservedWord(text);
  for (size_t i = 0; plain && i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool word = (c < 0x80 && std::isalnum(c)) || c == '_' || c == '/';
    bool inner = c == '-' || c == '.' ||
                 (!flow && (c == ':' || c == '@' || c == '+' || c == '=' || c == '&' || c == '?' ||
                            c == '%'));
    plain = word || (i > 0 && inner);
  }
  if (plain && text.back() != ':') return std::string(text);
  std::string out = "\"";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string FlowList(const std::vector<std::string>& items) {
  std::vector<std::string> scalars;
  for (const auto& item : items) scalars.push_back(Scalar(item, true));
  return "[" + Join(scalars, ", ") + "]";
}

void RenderEndpoint(std::string& out, const char* key, const EndpointSpec& spec) {
  out += fmt::format("{}:\n  url: {}\n", key, Scalar(spec.url, false));
  std::string upper = key == std::string_view("source") ? "SOURCE" : "TARGET";
  std::string lower = ToLower(upper);
  if (!spec.password_env.empty()) {
    out += "  password_env: " + Scalar(spec.password_env, false) + "\n";
  } else if (spec.password_file.empty()) {
    out += fmt::format("  {:<46} # a variable holding the password\n",
                       "# password_env: PEERLOCK_" + upper + "_PASSWORD");
  }
  if (!spec.password_file.empty()) {
    out += "  password_file: " + Scalar(spec.password_file, false) + "\n";
  } else if (spec.password_env.empty()) {
    out += fmt::format("  {:<46} # or a file holding it (first line)\n",
                       "# password_file: /run/secrets/" + lower + "_password");
  }
}

std::string ColumnRules(const ColumnTransform& rules) {
  std::vector<std::string> parts;
  if (rules.rename_to) parts.push_back("rename: " + Scalar(*rules.rename_to, true));
  if (rules.drop) parts.push_back("drop: true");
  if (rules.cast_to) parts.push_back("cast: " + Scalar(*rules.cast_to, true));
  if (rules.mask) {
    switch (rules.mask->kind) {
      case MaskRule::Kind::kHash: parts.push_back("mask: hash"); break;
      case MaskRule::Kind::kNull: parts.push_back("mask: null"); break;
      case MaskRule::Kind::kFixed:
        parts.push_back("mask: fixed");
        parts.push_back("value: " + Scalar(rules.mask->fixed_value, true));
        break;
    }
  }
  return "{" + Join(parts, ", ") + "}";
}

void RenderTransforms(std::string& out, const std::map<std::string, TableTransform>& tables) {
  for (const auto& [table, rules] : tables) {
    bool empty = !rules.rename_to && rules.filter.empty() && rules.columns.empty();
    out += "  " + Scalar(table, true) + ":" + (empty ? " {}" : "") + "\n";
    if (rules.rename_to) out += "    rename: " + Scalar(*rules.rename_to, false) + "\n";
    if (!rules.filter.empty()) out += "    filter: " + Scalar(rules.filter, false) + "\n";
    if (rules.columns.empty()) continue;
    out += "    columns:\n";
    for (const auto& [column, column_rules] : rules.columns) {
      out += "      " + Scalar(column, true) + ": " + ColumnRules(column_rules) + "\n";
    }
  }
}

constexpr char kHeader[] = R"yaml(# PeerLock plan: what to migrate, from where to where, and how.
# Keep it in version control beside your code; docs/plan.md describes every key.
# Lines starting with '#' are comments: remove the '# ' of an example to use it.

version: 1

# The database to migrate from. The URL's scheme names the dialect:
#   sqlite:///absolute/path.db   sqlite://path/relative/to/working/dir.db
# Keep passwords out of URLs and out of this file: name a variable or a file instead.
)yaml";

constexpr char kTablesComment[] = R"yaml(
# Which source tables to migrate: those matching an include pattern and no exclude pattern.
# Patterns are case-sensitive globs: '*' matches any run of characters, '?' one character.
)yaml";

constexpr char kTransformComment[] = R"yaml(
# Changes made on the way, keyed by source table name; tables not named here are copied as
# they are. Primary-key columns can be renamed or cast, but not dropped or masked: chunks and
# row identity are keyed on them.
transform:
)yaml";

constexpr char kTransformExample[] = R"yaml(  # customers:
  #   rename: clients                       # the table's name on the target
  #   filter: "active = 1"                  # copy only rows matching this source SQL condition
  #   columns:
  #     email: {mask: hash}                 # replace values by a hash of them
  #     notes: {mask: null}                 # replace values by NULL
  #     ssn: {mask: fixed, value: "XXX-XX"} # replace values by this text
  #     phone: {drop: true}                 # do not copy the column
  #     full_name: {rename: name}           # the column's name on the target
  #     price: {cast: "decimal(10,2)"}      # carry values as this logical type
)yaml";

}  // namespace

std::string RenderPlanTemplate(const Plan& plan) {
  std::string out = kHeader;
  RenderEndpoint(out, "source", plan.source);
  out += "\n# The database to migrate to; the same keys as source.\n";
  RenderEndpoint(out, "target", plan.target);

  out += kTablesComment;
  out += "tables:\n  include: " + FlowList(plan.include) + "\n";
  out += "  exclude: " + FlowList(plan.exclude);
  out += plan.exclude.empty() ? "  # e.g. [\"tmp_*\", \"*_backup\"]\n" : "\n";

  out += kTransformComment;
  RenderTransforms(out, plan.transforms);
  out += kTransformExample;

  out += "\n# How the copy runs.\ncopy:\n";
  out += fmt::format("  workers: {:<10} # chunks copied at once (1..64)\n", plan.copy.workers);
  out += fmt::format(
      "  chunk_rows: {:<7} # rows per chunk: the unit of parallelism, checkpoints, verify\n",
      plan.copy.chunk_rows);
  out += fmt::format("  batch_rows: {:<7} # rows per batch in flight (1..1000000)\n",
                     plan.copy.batch_rows);
  return out;
}

}  // namespace peerlock
