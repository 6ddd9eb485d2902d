#include "connector/registry.h"

#include "base/strings.h"

namespace peerlock {

const char* FidelityName(Fidelity f) {
  switch (f) {
    case Fidelity::kExact: return "exact";
    case Fidelity::kWidened: return "widened";
    case Fidelity::kLossy: return "lossy";
    case Fidelity::kUnsupported: return "unsupported";
  }
  return "?";
}

void ConnectorRegistry::Register(std::unique_ptr<Connector> connector,
                                 std::vector<std::string> aliases) {
  for (auto& alias : aliases) aliases_.emplace_back(std::move(alias), connector.get());
  connectors_.push_back(std::move(connector));
}

Result<const Connector*> ConnectorRegistry::Find(const Endpoint& endpoint) const {
  for (const auto& c : connectors_)
    if (c->scheme() == endpoint.scheme()) return c.get();
  for (const auto& [alias, c] : aliases_)
    if (alias == endpoint.scheme()) return c;
  return Fail(Error(ErrorCode::kInvalidArgument, "no connector for '" + endpoint.scheme() +
                                                     ":' URLs (" + endpoint.Redacted() + ")")
                  .WithHint("supported schemes: " + Join(Schemes(), ", ")));
}

std::vector<std::string> ConnectorRegistry::Schemes() const {
  std::vector<std::string> out;
  for (const auto& c : connectors_) out.push_back(c->scheme());
  for (const auto& a : aliases_) out.push_back(a.first);
  return out;
}

}  // namespace peerlock
