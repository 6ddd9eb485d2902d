#include "engine/backup/table_digests.h"

#include "engine/row_pipeline.h"
#include "plan/inventory.h"

namespace peerlock {

Result<std::vector<TableDigest>> DigestTables(Session& session, const Dialect& dialect,
                                              const CancelFlag* cancel) {
  PL_ASSIGN(Catalog catalog, session.Introspect(/*count_rows=*/false));
  // No plan rules: every table as it is, mapped onto its own dialect.
  Plan plain;
  PL_ASSIGN(Inventory inventory, BuildInventory(catalog, plain, dialect));
  std::vector<TableDigest> digests;
  for (const auto& ti : inventory.tables) {
    if (cancel && cancel->Cancelled())
      return Fail(Error(ErrorCode::kCancelled, "interrupted while reading " + ti.table.name));
    ReadSpec spec = MakeReadSpec(ti.mapping, Side::kSource, KeyRange{}, 10000);
    PL_ASSIGN(Digest digest,
              WithContext(ReadAndHash(session, spec, ti.mapping, Side::kSource, nullptr),
                          "reading table " + ti.table.name));
    digests.push_back({ti.table.name, digest});
  }
  return digests;
}

}  // namespace peerlock
