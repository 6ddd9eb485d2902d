#pragma once
// Internal to src/plan: reads the plan's `proxy:` section (listen, backend, hold_timeout, grace,
// control) into ProxySettings, checking addresses and durations at their line.

#include "base/error.h"
#include "plan/plan_yaml.h"
#include "proxy/proxy_settings.h"

namespace peerlock::plan_internal {

Result<ProxySettings> ParseProxy(const PlanYaml& yaml, const Field& section);

}  // namespace peerlock::plan_internal
