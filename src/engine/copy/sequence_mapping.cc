#include "engine/copy/sequence_mapping.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace peerlock {
namespace {

// Whether `owner` names column `column` of `table`: "table.column", or where the dialect has
// schemas (PostgreSQL: a table of the public schema goes by its bare name) "schema.table.column".
bool Feeds(const std::string& owner, const Table& table, const std::string& column) {
  if (owner == table.name + "." + column) return true;
  if (table.schema.empty()) return false;
  std::string bare = table.name.starts_with(table.schema + ".")
                         ? table.name.substr(table.schema.size() + 1)
                         : table.name;
  return owner == table.schema + "." + bare + "." + column;
}

}  // namespace

std::vector<SequenceValue> SequencesForTarget(const Inventory& inventory,
                                              const std::vector<SequenceValue>& source,
                                              bool same_dialect, bool keep_unowned) {
  std::vector<SequenceValue> out;
  for (const SequenceValue& s : source) {
    bool kept = false;
    for (const TableInventory& t : inventory.tables) {
      for (const ColumnMapping& c : t.mapping.columns) {
        if (kept || !Feeds(s.owner, t.table, c.source_name)) continue;
        SequenceValue target = s;
        target.owner = t.mapping.target_table + "." + c.target_name;
        if (!same_dialect) target.name.clear();
        out.push_back(std::move(target));
        kept = true;
      }
    }
    if (!kept && keep_unowned && same_dialect && s.owner.empty()) out.push_back(s);
  }
  return out;
}

std::string MissingSequencesNote(const SequencesSet& set) {
  if (set.missing.empty()) return "";
  return "no sequence on the target for " + Join(set.missing, ", ");
}

std::string SequencesNote(const SequencesSet& set, size_t asked) {
  std::string note = fmt::format("set {} counter{}", set.set, set.set == 1 ? "" : "s");
  // A MariaDB table keeps one counter (a second serial has none); a SQLite table without
  // AUTOINCREMENT follows its largest key, which the rows brought.
  size_t without = asked - std::min(asked, static_cast<size_t>(set.set) + set.missing.size());
  if (without > 0) note += fmt::format("; {} have no counter of their own on the target", without);
  if (!set.missing.empty()) note += "; " + MissingSequencesNote(set);
  return note;
}

}  // namespace peerlock
