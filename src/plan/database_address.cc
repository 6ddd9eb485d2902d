#include "plan/database_address.h"

#include "connector/endpoint.h"

namespace peerlock {

Result<HostPort> DatabaseAddress(const EndpointSpec& spec, const std::string& role) {
  const std::string hint = "give the backend with --backend HOST:PORT or proxy.backend in the plan";
  if (spec.url.empty())
    return Fail(Error(ErrorCode::kInvalidArgument,
                      "the proxy has no backend: the plan has no " + role + " URL")
                    .WithHint(hint));
  PL_ASSIGN(Endpoint endpoint, WithContext(Endpoint::Parse(spec.url), role + " URL"));
  int port = endpoint.port();
  const std::string& scheme = endpoint.scheme();
  if (port == 0 && (scheme == "postgresql" || scheme == "postgres")) port = 5432;
  if (port == 0 && (scheme == "mysql" || scheme == "mariadb")) port = 3306;
  if (port == 0 || endpoint.host().empty() || endpoint.host().front() == '/')
    return Fail(
        Error(ErrorCode::kInvalidArgument,
              "the plan's " + role + " " + endpoint.Redacted() + " has no TCP host:port to proxy")
            .WithHint(hint));
  return HostPort{.host = endpoint.host(), .port = port};
}

}  // namespace peerlock
