#include "plan/dependency_diagram.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace peerlock {
namespace {

struct Node {
  std::string id;     // safe in every syntax: letters, digits, '_'
  std::string label;  // shown
  std::string kind;   // database, service, storage, integration, table
  std::string group;  // a wave's name for tables, "" otherwise
};

struct Model {
  std::vector<Node> nodes;
  std::vector<std::pair<size_t, size_t>> edges;  // indexes into nodes: from depends on to
};

std::string SafeId(const std::string& prefix, const std::string& name) {
  std::string out = prefix;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out + fmt::format("_{:x}", std::hash<std::string>{}(name)&0xfff);  // keeps a_b != a.b
}

Model BuildModel(const DiagramInput& in) {
  Model m;
  std::map<std::string, size_t> system_at, table_at;
  for (const std::string& name : in.systems->systems) {
    const SystemSpec* spec = in.plan->FindSystem(name);
    std::string label = name;
    if (auto it = in.health.find(name); it != in.health.end()) label += " (" + it->second + ")";
    system_at[name] = m.nodes.size();
    m.nodes.push_back(
        {SafeId("s_", name), label, spec ? SystemKindName(spec->kind) : "database", ""});
  }
  for (const auto& [from, to] : in.systems->edges) {
    if (system_at.count(from) && system_at.count(to))
      m.edges.emplace_back(system_at[from], system_at[to]);
  }
  if (!in.tables) return m;
  std::map<std::string, std::string> wave_of;
  for (const WaveSpec& wave : in.plan->waves) {
    for (const std::string& table : wave.tables) wave_of.emplace(table, wave.name);
  }
  for (const std::string& table : in.tables->load_order) {
    table_at[table] = m.nodes.size();
    auto wave = wave_of.find(table);
    m.nodes.push_back(
        {SafeId("t_", table), table, "table", wave == wave_of.end() ? "" : wave->second});
  }
  for (const auto& [child, parent] : in.tables->edges) {
    if (table_at.count(child) && table_at.count(parent))
      m.edges.emplace_back(table_at[child], table_at[parent]);
  }
  return m;
}

std::string Escape(const std::string& text, bool xml) {
  std::string out;
  for (char c : text) {
    if (c == '"') {
      out += xml ? "&quot;" : "'";
    } else if (xml && c == '<') {
      out += "&lt;";
    } else if (xml && c == '>') {
      out += "&gt;";
    } else if (xml && c == '&') {
      out += "&amp;";
    } else if (c == '\n' || c == '\\') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Groups in first-seen order: "" (systems and tables in no wave) first.
std::vector<std::string> Groups(const Model& m) {
  std::vector<std::string> groups;
  for (const Node& n : m.nodes) {
    if (n.kind == "table" && std::find(groups.begin(), groups.end(), n.group) == groups.end())
      groups.push_back(n.group);
  }
  return groups;
}

}  // namespace

std::string RenderMermaid(const DiagramInput& input) {
  Model m = BuildModel(input);
  std::string out = "flowchart LR\n";
  auto node = [](const Node& n) {
    std::string label = Escape(n.label, false);
    if (n.kind == "database") return fmt::format("{}[(\"{}\")]", n.id, label);
    if (n.kind == "storage") return fmt::format("{}[/\"{}\"/]", n.id, label);
    if (n.kind == "integration") return fmt::format("{}{{{{\"{}\"}}}}", n.id, label);
    if (n.kind == "table") return fmt::format("{}[\"{}\"]", n.id, label);
    return fmt::format("{}(\"{}\")", n.id, label);
  };
  for (const Node& n : m.nodes) {
    if (n.kind != "table") out += "  " + node(n) + "\n";
  }
  for (const std::string& group : Groups(m)) {
    out += fmt::format("  subgraph {}[\"{}\"]\n", SafeId("g_", group),
                       group.empty() ? "tables" : "wave " + Escape(group, false));
    for (const Node& n : m.nodes) {
      if (n.kind == "table" && n.group == group) out += "    " + node(n) + "\n";
    }
    out += "  end\n";
  }
  for (const auto& [from, to] : m.edges) {
    out += fmt::format("  {} --> {}\n", m.nodes[from].id, m.nodes[to].id);
  }
  return out;
}

std::string RenderDot(const DiagramInput& input) {
  Model m = BuildModel(input);
  std::string out = "digraph migration {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n";
  auto node = [](const Node& n) {
    const char* shape = n.kind == "database"      ? "cylinder"
                        : n.kind == "storage"     ? "folder"
                        : n.kind == "integration" ? "hexagon"
                        : n.kind == "table"       ? "box"
                                                  : "component";
    return fmt::format("{} [label=\"{}\", shape={}];", n.id, Escape(n.label, false), shape);
  };
  for (const Node& n : m.nodes) {
    if (n.kind != "table") out += "  " + node(n) + "\n";
  }
  for (const std::string& group : Groups(m)) {
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"{}\";\n", SafeId("g_", group),
                       group.empty() ? "tables" : "wave " + Escape(group, false));
    for (const Node& n : m.nodes) {
      if (n.kind == "table" && n.group == group) out += "    " + node(n) + "\n";
    }
    out += "  }\n";
  }
  for (const auto& [from, to] : m.edges) {
    out += fmt::format("  {} -> {};\n", m.nodes[from].id, m.nodes[to].id);
  }
  return out + "}\n";
}

std::string RenderBasicSvg(const DiagramInput& input) {
  Model m = BuildModel(input);
  // Depth = longest chain of dependencies below a node; what depends on nothing is column 0.
  std::vector<int> depth(m.nodes.size(), 0);
  for (size_t round = 0; round < m.nodes.size(); ++round) {
    bool changed = false;
    for (const auto& [from, to] : m.edges) {
      if (depth[from] < depth[to] + 1 && depth[to] + 1 < static_cast<int>(m.nodes.size())) {
        depth[from] = depth[to] + 1;
        changed = true;
      }
    }
    if (!changed) break;  // cycles stop at the node count above
  }
  constexpr int kWidth = 170, kHeight = 34, kGapX = 60, kGapY = 16, kMargin = 10;
  std::vector<int> row(m.nodes.size(), 0);
  std::map<int, int> rows_in;
  for (size_t i = 0; i < m.nodes.size(); ++i) row[i] = rows_in[depth[i]]++;
  int columns = 0, rows = 0;
  for (const auto& [column, count] : rows_in) {
    columns = std::max(columns, column + 1);
    rows = std::max(rows, count);
  }
  int width = kMargin * 2 + columns * kWidth + std::max(0, columns - 1) * kGapX;
  int height = kMargin * 2 + rows * kHeight + std::max(0, rows - 1) * kGapY;
  auto x = [&](size_t i) { return kMargin + depth[i] * (kWidth + kGapX); };
  auto y = [&](size_t i) { return kMargin + row[i] * (kHeight + kGapY); };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dependency-diagram\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" "
      "orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n",
      width, height);
  for (const auto& [from, to] : m.edges) {
    out += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\" "
        "marker-end=\"url(#arrow)\"/>\n",
        x(from), y(from) + kHeight / 2, x(to) + kWidth, y(to) + kHeight / 2);
  }
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const Node& n = m.nodes[i];
    const char* fill = n.kind == "table" ? "#eef4ff" : n.kind == "database" ? "#e8f6e8" : "#fff6e0";
    std::string label = n.label + (n.group.empty() ? "" : " [" + n.group + "]");
    out += fmt::format(
        "<g class=\"node {}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\" "
        "fill=\"{}\" stroke=\"#333\"/><text x=\"{}\" y=\"{}\">{}</text></g>\n",
        n.kind, x(i), y(i), kWidth, kHeight, fill, x(i) + 8, y(i) + 21,
        Escape(label.size() > 26 ? label.substr(0, 25) + "…" : label, true));
  }
  return out + "</svg>\n";
}

}  // namespace peerlock
