#include "engine/copy/sequence_mapping.h"

namespace peerlock {
namespace {

// Whether `owner` ("schema.table.column" or "table.column") names column `column` of `table`.
bool Feeds(const std::string& owner, const Table& table, const std::string& column) {
  std::string bare = table.name.substr(table.name.find('.') + 1);
  std::string schema = table.schema.empty() ? "public" : table.schema;
  for (const std::string& name : {table.name, bare, schema + "." + bare})
    if (owner == name + "." + column) return true;
  return false;
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
