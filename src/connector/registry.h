#pragma once
// Maps URL schemes to connectors. Filled once at start-up by cli/main.cc (the only place that
// names concrete connectors), read-only afterwards, so lookups are thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "connector/connector.h"

namespace peerlock {

class ConnectorRegistry {
 public:
  // Registers `connector` for its scheme and for each of `aliases` (e.g. "mariadb" for mysql).
  void Register(std::unique_ptr<Connector> connector, std::vector<std::string> aliases = {});
  // The connector for `endpoint.scheme()`, or an error listing the known schemes.
  Result<const Connector*> Find(const Endpoint& endpoint) const;
  std::vector<std::string> Schemes() const;

 private:
  std::vector<std::unique_ptr<Connector>> connectors_;
  std::vector<std::pair<std::string, const Connector*>> aliases_;
};

}  // namespace peerlock
