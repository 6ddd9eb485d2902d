#include "plan/plan_transform_parser.h"

#include <algorithm>

#include "base/strings.h"
#include "core/logical_type.h"
#include "plan/plan_error.h"

namespace peerlock::plan_internal {
namespace {

const std::vector<std::string> kTableKeys = {"rename", "filter", "columns"};
const std::vector<std::string> kColumnKeys = {"rename", "drop", "cast", "mask", "value"};
const std::vector<std::string> kMaskKinds = {"hash", "null", "fixed"};
// The names ParseLogicalType accepts without aliases, for did-you-mean on a mistyped cast.
const std::vector<std::string> kTypeNames = {
    "bool",        "int8",     "int16", "int32", "int64", "uint64", "decimal",
    "float32",     "float64",  "text",  "bytes", "date",  "time",   "timestamp",
    "timestamptz", "interval", "uuid",  "json",  "bits",  "any"};

std::string CastHint(const std::string& type) {
  std::string text = ToLower(Trim(type));
  size_t open = text.find('(');
  std::string base = Trim(text.substr(0, open));
  std::string args = open == std::string::npos ? "" : text.substr(open);
  if (ParseLogicalType(base)) {
    return "only decimal(precision,scale), text(length) and bytes(length) take arguments";
  }
  if (auto match = ClosestMatch(base, kTypeNames)) return "did you mean '" + *match + args + "'?";
  return "the logical types are " + Join(kTypeNames, ", ");
}

Result<MaskRule::Kind> ParseMaskKind(const PlanYaml& yaml, const Field& field) {
  // `mask: null` reaches us as a YAML null, not as the text "null".
  if (yaml.IsWrittenNull(field.node)) return MaskRule::Kind::kNull;
  std::string expected = QuotedList(kMaskKinds);
  // Not PL_ASSIGN: GCC 12 sees a maybe-uninitialized string through it here (a false alarm).
  Result<std::string> kind = yaml.String(field, expected);
  if (!kind) return std::unexpected(std::move(kind.error()));
  if (*kind == "hash") return MaskRule::Kind::kHash;
  if (*kind == "null") return MaskRule::Kind::kNull;
  if (*kind == "fixed") return MaskRule::Kind::kFixed;
  return std::unexpected(yaml.Fail(field.where, field.path + " is '" + *kind + "'", expected,
                                   DidYouMean(*kind, kMaskKinds,
                                              "hash replaces values by a hash, null by NULL, "
                                              "fixed by the text given as value")));
}

Result<ColumnTransform> ParseColumn(const PlanYaml& yaml, const Entry& column) {
  ColumnTransform out;
  out.where = column.key_where;
  const std::string& name = column.value.path;
  PL_ASSIGN(std::vector<Entry> rules,
            yaml.Entries(column.value, kColumnKeys, "column rules: rename, drop, cast, mask"));
  const Entry* drop = nullptr;
  const Entry* mask = nullptr;
  const Entry* value = nullptr;
  std::string fixed_value;
  for (const Entry& rule : rules) {
    if (rule.key == "rename") {
      PL_ASSIGN(out.rename_to, yaml.String(rule.value, "the column's new name"));
    } else if (rule.key == "drop") {
      PL_ASSIGN(out.drop, yaml.Bool(rule.value));
      drop = &rule;
    } else if (rule.key == "cast") {
      PL_ASSIGN(std::string type, yaml.String(rule.value, "a logical type name"));
      if (!ParseLogicalType(type)) {
        return std::unexpected(yaml.Fail(rule.value.where, rule.value.path + " is '" + type + "'",
                                         "a logical type such as int64, text, decimal(10,2) "
                                         "or timestamp",
                                         CastHint(type)));
      }
      out.cast_to = type;
    } else if (rule.key == "mask") {
      PL_ASSIGN(MaskRule::Kind kind, ParseMaskKind(yaml, rule.value));
      out.mask = MaskRule{.kind = kind};
      mask = &rule;
    } else if (rule.key == "value") {
      if (yaml.IsWrittenNull(rule.value.node)) {
        return std::unexpected(yaml.Fail(rule.value.where, rule.value.path + " is null",
                                         "the replacement text", "use mask: null for NULLs"));
      }
      PL_ASSIGN(fixed_value, yaml.String(rule.value, "the replacement text", true));
      value = &rule;
    }
  }
  bool fixed = out.mask && out.mask->kind == MaskRule::Kind::kFixed;
  if (value && !fixed) {
    return std::unexpected(
        yaml.Fail(value->key_where,
                  name + " has a value but " + (mask ? "its mask is not 'fixed'" : "no mask"),
                  "value only together with mask: fixed",
                  "value is the replacement text of mask: fixed; write "
                  "{mask: fixed, value: ...} or remove value"));
  }
  if (fixed && !value) {
    return std::unexpected(yaml.Fail(mask->key_where, name + " has mask 'fixed' but no value",
                                     "value: <replacement text> beside it",
                                     "write {mask: fixed, value: \"XXX\"}"));
  }
  if (fixed) out.mask->fixed_value = fixed_value;
  if (out.drop && (out.rename_to || out.cast_to || out.mask)) {
    std::vector<std::string> others;
    if (out.rename_to) others.push_back("rename");
    if (out.cast_to) others.push_back("cast");
    if (out.mask) others.push_back("mask");
    return std::unexpected(yaml.Fail(
        drop->key_where, name + " is dropped and also has " + Join(others, ", "), "drop alone",
        "a dropped column is not copied, so its other rules would "
        "do nothing: remove them or remove drop"));
  }
  return out;
}

// Two columns may not end up with one name. Only the columns the plan names are known here;
// ValidatePlanAgainstCatalog repeats this with every column of the table. Names compare
// case-insensitively because SQLite and MySQL targets fold case.
Status CheckColumnNames(const PlanYaml& yaml, const std::string& table_path,
                        const TableTransform& table) {
  std::vector<const std::pair<const std::string, ColumnTransform>*> in_file_order;
  for (const auto& entry : table.columns) in_file_order.push_back(&entry);
  std::sort(in_file_order.begin(), in_file_order.end(), [](auto* a, auto* b) {
    return std::pair(a->second.where.line, a->second.where.column) <
           std::pair(b->second.where.line, b->second.where.column);
  });
  std::vector<std::pair<std::string, const std::string*>> renamed;  // lower(new name), column
  for (const auto* entry : in_file_order) {
    const auto& [column, rules] = *entry;
    if (!rules.rename_to || rules.drop) continue;
    std::string target = ToLower(*rules.rename_to);
    std::string path = table_path + ".columns." + column;
    for (const auto& [other_target, other] : renamed) {
      if (other_target == target) {
        return std::unexpected(yaml.Fail(
            rules.where,
            path + " is renamed to '" + *rules.rename_to + "', as is column '" + *other + "'",
            "a name no other column has", "give each column its own name"));
      }
    }
    for (const auto& [other, other_rules] : table.columns) {
      if (other == column || ToLower(other) != target) continue;
      if (other_rules.drop || other_rules.rename_to) continue;  // the name is free again
      return std::unexpected(yaml.Fail(
          rules.where,
          path + " is renamed to '" + *rules.rename_to + "', which column '" + other + "' keeps",
          "a name no other column has",
          "rename or drop column '" + other + "' too, or choose another name"));
    }
    renamed.emplace_back(target, &column);
  }
  return {};
}

Result<TableTransform> ParseTable(const PlanYaml& yaml, const Entry& table) {
  TableTransform out;
  out.where = table.key_where;
  PL_ASSIGN(std::vector<Entry> keys,
            yaml.Entries(table.value, kTableKeys, "a map with rename, filter and/or columns"));
  for (const Entry& key : keys) {
    if (key.key == "rename") {
      PL_ASSIGN(out.rename_to, yaml.String(key.value, "the table's new name"));
    } else if (key.key == "filter") {
      PL_ASSIGN(out.filter, yaml.String(key.value,
                                        "an SQL condition on the source table, such as "
                                        "\"active = 1\""));
    } else if (key.key == "columns") {
      PL_ASSIGN(std::vector<Entry> columns,
                yaml.Entries(key.value, {}, "a map from column names to their rules"));
      for (const Entry& column : columns) {
        PL_ASSIGN(ColumnTransform rules, ParseColumn(yaml, column));
        out.columns.emplace(column.key, std::move(rules));
      }
    }
  }
  PL_TRY(CheckColumnNames(yaml, table.value.path, out));
  return out;
}

}  // namespace

Result<std::map<std::string, TableTransform>> ParseTransforms(const PlanYaml& yaml,
                                                              const Field& section) {
  std::map<std::string, TableTransform> transforms;
  PL_ASSIGN(std::vector<Entry> tables,
            yaml.Entries(section, {}, "a map from source table names to their transforms"));
  for (const Entry& table : tables) {
    PL_ASSIGN(TableTransform transform, ParseTable(yaml, table));
    transforms.emplace(table.key, std::move(transform));
  }
  return transforms;
}

}  // namespace peerlock::plan_internal
