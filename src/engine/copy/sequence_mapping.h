#pragma once
// Which of the source's sequences (and auto-increment counters) the target must continue, and
// how the target finds each: by the sequence's own name on a target of the same dialect, else by
// the column it feeds under its target names ("table.column"), behind which every connector
// finds its counter (PostgreSQL identity or serial, MariaDB AUTO_INCREMENT, SQLite's rowid).

#include <string>
#include <vector>

#include "core/catalog.h"
#include "plan/inventory.h"

namespace peerlock {

// The sequences of `source` that feed a column of a table in `inventory`, each with `owner` set
// to that column's target "table.column" and, across dialects, no name (another dialect's
// sequence name means nothing there). `keep_unowned` also keeps sequences feeding no column,
// by name (the whole schema was cloned, same dialect only).
std::vector<SequenceValue> SequencesForTarget(const Inventory& inventory,
                                              const std::vector<SequenceValue>& source,
                                              bool same_dialect, bool keep_unowned);

// For the audit log: how many of the `asked` counters the target set, and why the rest were not.
std::string SequencesNote(const SequencesSet& set, size_t asked);
// "no sequence on the target for a, b" (empty when none is missing).
std::string MissingSequencesNote(const SequencesSet& set);

}  // namespace peerlock
