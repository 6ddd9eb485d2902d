#include "engine/systems/systems_inventory.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/process.h"
#include "base/strings.h"

namespace peerlock {
namespace {

SystemHealth DatabaseHealth(const std::string& name, const Endpoint& endpoint, bool read,
                            double timeout_seconds) {
  SystemHealth health;
  if (read) {
    health = {.ok = true, .state = "up", .detail = "introspected by this inventory"};
  } else if (!endpoint.host().empty() && endpoint.port() > 0) {
    health = ProbeCheckUrl(fmt::format("tcp://{}:{}", endpoint.host(), endpoint.port()),
                           timeout_seconds);
  } else {
    health = {.state = "not probed", .detail = "a database file: peerlock check opens it"};
  }
  health.name = name;
  health.kind = "database";
  health.target = endpoint.Redacted();
  return health;
}

}  // namespace

std::optional<std::string> RenderWithGraphviz(const std::string& dot) {
  // RunProcess has no stdin, so the graph goes through a private temporary file.
  std::string dir = (std::filesystem::temp_directory_path() / "peerlock-dot-XXXXXX").string();
  if (!mkdtemp(dir.data())) return std::nullopt;
  std::string file = dir + "/graph.dot";
  std::optional<std::string> svg;
  {
    std::ofstream out(file);
    out << dot;
  }
  auto result = RunProcess({"dot", "-Tsvg", file});
  if (result && result->exit_code == 0 && result->out.find("<svg") != std::string::npos) {
    svg = result->out.substr(result->out.find("<svg"));  // drop the XML prolog and doctype
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // best effort: a leftover temp file harms nothing
  return svg;
}

SystemsInventory InventorySystems(const Plan& plan, const DependencyGraph& tables,
                                  const Endpoint& source, bool source_read, const Endpoint& target,
                                  double timeout_seconds) {
  SystemsInventory inv;
  inv.health.push_back(DatabaseHealth("source", source, source_read, timeout_seconds));
  inv.health.push_back(DatabaseHealth("target", target, false, timeout_seconds));
  for (const SystemSpec& system : plan.systems) {
    inv.health.push_back(ProbeSystem(system, timeout_seconds));
  }
  inv.graph = BuildSystemGraph(plan, tables);
  DiagramInput input{.plan = &plan, .systems = &inv.graph, .tables = &tables};
  for (const SystemHealth& h : inv.health) input.health[h.name] = h.state;
  inv.mermaid = RenderMermaid(input);
  inv.dot = RenderDot(input);
  if (auto svg = RenderWithGraphviz(inv.dot)) {
    inv.svg = *svg;
    inv.svg_renderer = "graphviz";
  } else {
    inv.svg = RenderBasicSvg(input);
    inv.svg_renderer = "peerlock";
  }
  return inv;
}

nlohmann::json SystemsInventoryToJson(const SystemsInventory& inv) {
  nlohmann::json health = nlohmann::json::array();
  for (const SystemHealth& h : inv.health) health.push_back(SystemHealthToJson(h));
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& [from, to] : inv.graph.edges) {
    edges.push_back({{"system", from}, {"depends_on", to}});
  }
  return {{"systems", health},
          {"system_dependencies", edges},
          {"system_order", inv.graph.order},
          {"system_cycles", inv.graph.cycles},
          {"table_cycles", inv.graph.table_cycles},
          {"wave_order", inv.graph.wave_order},
          {"wave_problems", inv.graph.wave_problems},
          {"diagram",
           {{"mermaid", inv.mermaid}, {"dot", inv.dot}, {"svg_renderer", inv.svg_renderer}}}};
}

std::string SystemsInventoryToText(const SystemsInventory& inv) {
  std::string out = fmt::format("\n{:<14} {:<12} {:<11} {}\n", "SYSTEM", "KIND", "STATE", "DETAIL");
  for (const SystemHealth& h : inv.health) {
    out += fmt::format("{:<14} {:<12} {:<11} {}{}\n", h.name, h.kind, h.state, h.detail,
                       h.target.empty() ? "" : " [" + h.target + "]");
    if (!h.manifest_digest.empty())
      out += "               manifest sha256 " + h.manifest_digest + "\n";
  }
  out += "\nSystem order (dependencies first): " + Join(inv.graph.order, ", ") + "\n";
  for (const auto& cycle : inv.graph.cycles) {
    out += "system dependency cycle: " + Join(cycle, " -> ") + "\n";
  }
  for (const auto& cycle : inv.graph.table_cycles) {
    out += "foreign-key cycle: " + Join(cycle, " -> ") + "\n";
  }
  if (!inv.graph.wave_order.empty()) {
    out += "Wave order: " + Join(inv.graph.wave_order, ", ") + "\n";
  }
  for (const auto& problem : inv.graph.wave_problems)
    out += "wave order problem: " + problem + "\n";
  out += "\nDiagram (Mermaid):\n" + inv.mermaid;
  return out;
}

}  // namespace peerlock
