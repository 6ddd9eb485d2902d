#include "engine/copy/sequence_mapping.h"

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

}  // namespace peerlock
