#pragma once
// Everything a step needs to run: the plan, both endpoints with their connectors, the state
// store, the migration key and the cancellation flag. Built by control/; steps never look up
// connectors themselves (the engine names no concrete dialect).

#include <string>

#include "base/cancel.h"
#include "connector/connector.h"
#include "plan/inventory.h"
#include "plan/plan.h"
#include "state/state_store.h"

namespace peerlock {

struct EngineContext {
  const Plan* plan = nullptr;
  const Connector* source_connector = nullptr;
  const Connector* target_connector = nullptr;
  Endpoint source;
  Endpoint target;
  StateStore* state = nullptr;
  std::string migration;  // StateStore::MigrationKey of the redacted URLs
  const CancelFlag* cancel = nullptr;
  bool terminal = false;  // stderr is a terminal: draw progress bars

  Result<std::unique_ptr<Session>> OpenSource() const {
    return source_connector->Connect(source, SessionOptions{.read_only = true});
  }
  Result<std::unique_ptr<Session>> OpenTarget(bool create = false) const {
    return target_connector->Connect(target, SessionOptions{.create = create});
  }
  Status CheckCancelled() const {
    if (cancel && cancel->Cancelled())
      return Fail(Error(ErrorCode::kCancelled, "interrupted")
                      .WithHint("rerun the command with --resume to continue where it stopped"));
    return {};
  }
};

// Introspects the source (exact counts when `count_rows`) and builds the inventory.
Result<Inventory> LoadInventory(const EngineContext& ctx, bool count_rows);

// Restricts `inventory` to the source tables named in `tables` (all when empty); an unknown
// name is an error suggesting the closest table.
Status SelectTables(Inventory& inventory, const std::vector<std::string>& tables);

}  // namespace peerlock
