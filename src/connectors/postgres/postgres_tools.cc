#include "connectors/postgres/postgres_tools.h"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "base/strings.h"

namespace peerlock {

std::string PgTool(const std::string& name, int server_version) {
  std::string path = fmt::format("/usr/lib/postgresql/{}/bin/{}", server_version / 10000, name);
  return std::filesystem::exists(path) ? path : name;
}

std::map<std::string, std::string> PgPasswordEnv(const Endpoint& endpoint) {
  if (endpoint.password().empty()) return {};
  return {{"PGPASSWORD", endpoint.password()}};
}

}  // namespace peerlock
