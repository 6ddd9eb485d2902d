#pragma once
// `peerlock copy --sample P% [--into URL]` (proof of concept): a representative subset that
// keeps foreign keys intact, copied into a staging target and verified.
//
// Tables that reference no other table in scope are sampled by key: a single integer key k
// is kept when k mod 100 < P (5% -> k % 100 < 5; 0.5% -> k % 1000 < 5): deterministic, and
// exact for consecutive keys. A table without one is copied whole and named in the summary. Every
// other table keeps exactly the rows whose foreign keys point at kept parent rows (or are NULL):
// children follow their sampled parents, so no reference dangles. The filters ride on the plan's
// transform filters, so verify compares the same subset. Recorded as a run of kind "sample" (the
// checklist's proof-of-concept evidence: succeeded when verify found it equal and the target's
// foreign-key check found nothing). Not thread-safe (uses the Migration).

#include <string>

#include "control/migration.h"

namespace peerlock {

struct SampleOutcome {
  bool passed = false;
  nlohmann::json summary;
};

// `into` is the staging target's URL (empty: the plan's target).
Result<SampleOutcome> CopySample(Migration& migration, const ConnectorRegistry& registry,
                                 double percent, const std::string& into, const CopyOptions& copy);

}  // namespace peerlock
