#include "core/catalog.h"

namespace peerlock {

const Column* Table::FindColumn(const std::string& column) const {
  int i = ColumnIndex(column);
  return i < 0 ? nullptr : &columns[i];
}

int Table::ColumnIndex(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return static_cast<int>(i);
  return -1;
}

const Table* Catalog::FindTable(const std::string& name) const {
  for (const auto& t : tables)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace peerlock
