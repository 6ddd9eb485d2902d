#include "convert/table_mapping.h"

#include <limits>

#include "base/strings.h"

namespace peerlock {
namespace {

const ColumnTransform* ColumnRule(const TableTransform* t, const std::string& column) {
  if (!t) return nullptr;
  auto it = t->columns.find(column);
  return it == t->columns.end() ? nullptr : &it->second;
}

std::string TargetColumnName(const TableTransform* t, const std::string& column) {
  const ColumnTransform* rule = ColumnRule(t, column);
  return rule && rule->rename_to ? *rule->rename_to : column;
}

const TableTransform* TransformOf(const MappingContext& ctx, const std::string& table) {
  if (!ctx.transforms) return nullptr;
  auto it = ctx.transforms->find(table);
  return it == ctx.transforms->end() ? nullptr : &it->second;
}

// An unsigned 64-bit counter column whose next value still fits a signed 64-bit integer.
bool CounterFitsSigned(const Column& column) {
  return column.auto_increment && column.type.kind == TypeKind::kInt && column.type.is_unsigned &&
         column.type.bits == 64 && column.counter_next &&
         *column.counter_next <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

}  // namespace

std::string TargetTableName(const std::string& table,
                            const std::map<std::string, TableTransform>* transforms) {
  if (!transforms) return table;
  auto it = transforms->find(table);
  return it != transforms->end() && it->second.rename_to ? *it->second.rename_to : table;
}

Result<TableMapping> MapTable(const Table& source, const MappingContext& ctx) {
  const TableTransform* transform = TransformOf(ctx, source.name);
  TableMapping m;
  m.source_table = source.name;
  m.target_table = TargetTableName(source.name, ctx.transforms);
  m.filter = transform ? transform->filter : "";
  bool reshaped = m.target_table != source.name || !ctx.same_dialect;

  Table& target = m.target;
  target.name = m.target_table;
  target.has_row_id = source.has_row_id;
  target.checks = ctx.same_dialect ? source.checks : std::vector<std::string>{};
  std::set<std::string> key(source.primary_key.begin(), source.primary_key.end());

  for (const auto& column : source.columns) {
    const ColumnTransform* rule = ColumnRule(transform, column.name);
    if (rule && (rule->drop || rule->rename_to || rule->cast_to || rule->mask)) reshaped = true;
    if (key.count(column.name) && rule && (rule->drop || rule->mask || rule->cast_to))
      return Fail(Error(ErrorCode::kPlan, "table " + source.name + ": key column '" + column.name +
                                              "' cannot be dropped, masked or cast")
                      .WithHint("chunks and row identity are keyed on it; rename it instead"));
    if (rule && rule->drop) continue;
    if (column.generated) {
      m.warnings.push_back("generated column '" + column.name +
                           "' is not copied; the engine computes it on the target");
      continue;
    }
    ColumnMapping cm{.source_name = column.name,
                     .target_name = TargetColumnName(transform, column.name),
                     .source_type = column.type,
                     .compare_type = column.type};
    Column out = column;
    out.name = cm.target_name;
    if (!ctx.same_dialect) {
      out.source_type.clear();
      if (out.default_sql) {
        // A serial's nextval() default is carried as the target's identity / AUTO_INCREMENT.
        if (!column.auto_increment)
          m.warnings.push_back("default of '" + column.name + "' (" + *out.default_sql +
                               ") is native SQL and is not carried to another dialect");
        out.default_sql.reset();
      }
      if (CounterFitsSigned(column)) {
        // BIGINT UNSIGNED AUTO_INCREMENT (Laravel's default key): every id handed out so far
        // fits bigint, and only a signed integer can be PostgreSQL's identity or SQLite's rowid.
        // Values compare the same (canonical integers have no width); one past 2^63 - 1 would
        // be refused by the target, never changed.
        out.type = LogicalType{.kind = TypeKind::kInt, .bits = 64};
        m.warnings.push_back(
            "column '" + column.name + "' " + LogicalTypeName(column.type) + " AUTO_INCREMENT -> " +
            ctx.target_dialect->FromLogical(out.type).native_type +
            " with the target's counter: its next value (" + std::to_string(*column.counter_next) +
            ") and every id so far fit 64-bit signed integers");
      }
      TypeMapping tm = ctx.target_dialect->FromLogical(out.type);
      if (tm.fidelity == Fidelity::kLossy || tm.fidelity == Fidelity::kUnsupported)
        m.warnings.push_back("column '" + column.name + "' " + LogicalTypeName(column.type) +
                             " -> " + tm.native_type + " is " + FidelityName(tm.fidelity) + ": " +
                             tm.reason);
    }
    if (rule && rule->cast_to) {
      auto cast = ParseLogicalType(*rule->cast_to);
      if (!cast)
        return Fail(Error(ErrorCode::kPlan, "table " + source.name + " column " + column.name +
                                                ": unknown cast type '" + *rule->cast_to + "'")
                        .WithHint("use a logical type such as int64, decimal(12,2), text, bytes"));
      cm.cast = *cast;
      cm.compare_type = *cast;
      out.type = *cast;
      out.source_type.clear();
      out.default_sql.reset();
      m.changes_values = true;
    }
    if (rule && rule->mask) {
      cm.mask = *rule->mask;
      m.changes_values = true;
      if (rule->mask->kind == MaskRule::Kind::kNull) {
        out.nullable = true;
      } else {
        cm.compare_type = MakeType(TypeKind::kText);
        if (rule->mask->kind == MaskRule::Kind::kHash) {
          out.type = MakeType(TypeKind::kText);
          out.source_type.clear();
        }
      }
    }
    m.columns.push_back(cm);
    m.source_columns.push_back(cm.source_name);
    m.target_columns.push_back(cm.target_name);
    m.compare_types.push_back(cm.compare_type);
    target.columns.push_back(std::move(out));
  }

  for (const auto& k : source.primary_key) {
    target.primary_key.push_back(TargetColumnName(transform, k));
    for (size_t i = 0; i < m.columns.size(); ++i)
      if (m.columns[i].source_name == k) m.key_positions.push_back(static_cast<int>(i));
  }
  m.keyless = source.primary_key.empty();
  if (m.keyless) {
    m.source_key.row_id = true;
    m.target_key.row_id = true;
  } else {
    m.source_key.columns = source.primary_key;
    m.target_key.columns = target.primary_key;
  }

  std::set<std::string> kept;
  for (const auto& c : m.columns) kept.insert(c.source_name);
  auto all_kept = [&](const std::vector<std::string>& cols) {
    for (const auto& c : cols)
      if (!kept.count(c)) return false;
    return true;
  };
  for (const auto& fk : source.foreign_keys) {
    if (!ctx.in_scope.count(fk.ref_table)) {
      m.warnings.push_back("foreign key to " + fk.ref_table +
                           " is not created: that table is not migrated");
      continue;
    }
    if (!all_kept(fk.columns)) {
      m.warnings.push_back("foreign key to " + fk.ref_table +
                           " is not created: a column is dropped");
      continue;
    }
    ForeignKey out = fk;
    out.ref_table = TargetTableName(fk.ref_table, ctx.transforms);
    const TableTransform* parent = TransformOf(ctx, fk.ref_table);
    for (auto& c : out.columns) c = TargetColumnName(transform, c);
    for (auto& c : out.ref_columns) c = TargetColumnName(parent, c);
    if (out.ref_table != fk.ref_table || out.columns != fk.columns ||
        out.ref_columns != fk.ref_columns)
      reshaped = true;
    target.foreign_keys.push_back(std::move(out));
  }
  if (target.foreign_keys.size() != source.foreign_keys.size()) reshaped = true;

  for (const auto& index : source.indexes) {
    Index out = index;
    if (index.columns.empty() && reshaped) {
      m.warnings.push_back("expression index " + index.name +
                           " is not recreated: its definition names renamed objects");
      continue;
    }
    if (!all_kept(index.columns)) {
      m.warnings.push_back("index " + index.name + " is not recreated: a column is dropped");
      continue;
    }
    for (auto& c : out.columns) c = TargetColumnName(transform, c);
    if (reshaped) out.native_sql.clear();
    target.indexes.push_back(std::move(out));
  }
  // An untouched same-dialect table is recreated from its own definition, verbatim.
  if (!reshaped)
    target.native_sql = source.native_sql;
  else if (!source.checks.empty() || ToLower(source.native_sql).find("check") != std::string::npos)
    m.warnings.push_back("CHECK constraints are carried only when the table is not reshaped");
  return m;
}

}  // namespace peerlock
