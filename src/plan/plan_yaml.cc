#include "plan/plan_yaml.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "base/strings.h"
#include "plan/plan_error.h"

namespace peerlock::plan_internal {
namespace {

constexpr char kDocsHint[] = "docs/plan.md lists every key of the plan file";
constexpr char kSyntaxHint[] =
    "check the indentation (spaces, not tabs) and quoting near this line; quote values that "
    "contain ': ' or ' #' or start with * & ! [ { , or %";

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Records where each document starts, for the pre-scan in LoadDocument; ignores the rest.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

Result<YAML::Node> PlanYaml::LoadDocument() const {
  try {
    // YAML::LoadAll never returns on a stray top-level ',' in yaml-cpp 0.7 (it adds the same
    // empty document forever: jbeder/yaml-cpp#1040, fixed upstream by #1319). So documents are
    // counted with a bounded number of parser steps first, and only then is one loaded.
    std::istringstream stream{std::string(text_)};
    YAML::Parser parser(stream);
    DocumentStarts documents;
    for (int i = 0; i < 2 && parser.HandleNextDocument(documents); ++i) {
    }
    if (documents.starts.size() == 2) {
      SourceLocation second = FromMark(documents.starts[1]);
      if (documents.starts[1].pos == documents.starts[0].pos) {  // the parser is stuck
        auto pos = std::min(static_cast<size_t>(documents.starts[1].pos), text_.size());
        std::string token(text_.substr(pos, 1));
        return std::unexpected(Fail(second, "invalid YAML (unexpected '" + token + "')",
                                    "well-formed YAML", kSyntaxHint));
      }
      return std::unexpected(Fail(second, "the plan holds more than one YAML document", "one",
                                  "remove the '---' separator and merge the documents"));
    }
    YAML::Node root = documents.starts.empty() ? YAML::Node() : YAML::Load(std::string(text_));
    if (root.IsNull()) {
      return std::unexpected(Fail({.line = 1, .column = 1}, "the plan is empty",
                                  "a map with source and target",
                                  "`peerlock init` writes a commented plan to start from"));
    }
    return root;
  } catch (const YAML::Exception& e) {
    return std::unexpected(
        Fail(FromMark(e.mark), "invalid YAML (" + e.msg + ")", "well-formed YAML", kSyntaxHint));
  }
}

SourceLocation PlanYaml::FromMark(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return {};  // Mark::null_mark(): built, not parsed
  return {.line = mark.line + 1, .column = mark.column + 1};
}

SourceLocation PlanYaml::Where(const YAML::Node& node) {
  return node.IsDefined() ? FromMark(node.Mark()) : SourceLocation{};
}

Error PlanYaml::Fail(SourceLocation where, const std::string& what, const std::string& expected,
                     std::string hint) const {
  return PlanError(file_, where, what, expected, std::move(hint));
}

std::string PlanYaml::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (text.empty()) return "empty";
      // Long values (a pasted SQL statement) would drown the message.
      if (text.size() > 40) return "'" + text.substr(0, 37) + "...'";
      return "'" + text + "'";
    }
    case YAML::NodeType::Undefined: break;
  }
  return "missing";
}

std::string PlanYaml::Name(const Field& field) {
  return field.path.empty() ? "the plan" : field.path;
}

Result<std::vector<Entry>> PlanYaml::Entries(const Field& map, const std::vector<std::string>& keys,
                                             const std::string& expected) const {
  std::vector<Entry> entries;
  if (map.node.IsNull()) return entries;
  if (!map.node.IsMap()) {
    return std::unexpected(Fail(map.where, Name(map) + " is " + Describe(map.node), expected,
                                "write the keys of " + Name(map) +
                                    " as indented 'key: value' lines below it; " + kDocsHint));
  }
  // Nodes are copied out: yaml-cpp iterators hand out temporaries that references would outlive.
  for (const auto& pair : map.node) {
    YAML::Node key_node = pair.first;
    SourceLocation key_where = Where(key_node);
    if (!key_node.IsScalar() || key_node.Scalar().empty()) {
      return std::unexpected(Fail(key_where, "a key of " + Name(map) + " is " + Describe(key_node),
                                  "a name", "keys are plain names followed by ':'"));
    }
    std::string key = key_node.Scalar();
    // yaml-cpp keeps both entries of a repeated key, and other tools keep only the last: either
    // way one of the two is silently not what the user meant.
    for (const Entry& seen : entries) {
      if (seen.key == key) {
        return std::unexpected(Fail(key_where,
                                    fmt::format("'{}' appears twice in {} (first on line {})", key,
                                                Name(map), seen.key_where.line),
                                    "each key once", "merge the two entries into one"));
      }
    }
    if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      // In {a: x, b: y} an unquoted ',' inside a value starts a new key ("decimal(10,2)").
      std::string otherwise = map.node.Style() == YAML::EmitterStyle::Flow
                                  ? "inside { } a ',' ends a value: quote values that contain "
                                    "one, e.g. {cast: \"decimal(10,2)\"}"
                                  : kDocsHint;
      return std::unexpected(Fail(key_where, Name(map) + " has unknown key '" + key + "'",
                                  "one of " + QuotedList(keys), DidYouMean(key, keys, otherwise)));
    }
    YAML::Node value = pair.second;
    SourceLocation value_where = value.IsNull() ? key_where : Where(value);
    entries.push_back({key, key_where, Field{value, value_where, Join(map.path, key)}});
  }
  return entries;
}

Result<std::string> PlanYaml::String(const Field& field, const std::string& expected,
                                     bool allow_empty) const {
  const YAML::Node& node = field.node;
  bool empty = node.IsNull() || (node.IsScalar() && node.Scalar().empty());
  if (!node.IsScalar() || (empty && !allow_empty)) {
    return std::unexpected(Fail(field.where, Name(field) + " is " + Describe(node), expected,
                                "write " + Name(field) + " as one value on its line; " +
                                    "quote it if it contains ': ', ' #' or starts with " +
                                    "one of * & ! [ { '\" %"));
  }
  return node.Scalar();
}

Result<int64_t> PlanYaml::Integer(const Field& field, int64_t min, int64_t max,
                                  const std::string& hint) const {
  std::string expected = max == std::numeric_limits<int64_t>::max()
                             ? fmt::format("an integer of at least {}", min)
                             : fmt::format("an integer from {} to {}", min, max);
  std::optional<int64_t> value;
  if (field.node.IsScalar()) value = ParseInt64(Trim(field.node.Scalar()));
  if (!value || *value < min || *value > max) {
    return std::unexpected(
        Fail(field.where, Name(field) + " is " + Describe(field.node), expected, hint));
  }
  return *value;
}

Result<bool> PlanYaml::Bool(const Field& field) const {
  if (field.node.IsScalar()) {
    std::string text = ToLower(field.node.Scalar());
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return std::unexpected(Fail(field.where, Name(field) + " is " + Describe(field.node),
                              "true or false", "write " + Name(field) + ": true"));
}

Result<std::vector<std::string>> PlanYaml::StringList(const Field& field,
                                                      const std::string& expected) const {
  std::vector<std::string> items;
  const YAML::Node& node = field.node;
  if (node.IsNull()) return items;
  if (node.IsScalar()) {
    PL_ASSIGN(std::string item, String(field, expected));
    items.push_back(std::move(item));
    return items;
  }
  if (!node.IsSequence()) {
    return std::unexpected(
        Fail(field.where, Name(field) + " is " + Describe(node), expected,
             "write a list as [\"a\", \"b\"] or as '- a' lines below " + Name(field)));
  }
  for (const auto& element : node) {
    Field item{element, Where(element), fmt::format("{}[{}]", field.path, items.size())};
    if (item.node.IsNull()) item.where = field.where;  // an empty item has no mark of its own
    PL_ASSIGN(std::string text, String(item, "a non-empty string"));
    items.push_back(std::move(text));
  }
  return items;
}

bool PlanYaml::IsWrittenNull(const YAML::Node& node) const {
  if (!node.IsNull()) return false;
  YAML::Mark mark = node.Mark();
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return false;
  // An empty value carries the mark of the token after it, so a written null is recognised by
  // its text, and by what follows it (a key named "null" is followed by ':').
  std::string_view rest = text_.substr(static_cast<size_t>(mark.pos));
  size_t length = 0;
  if (StartsWith(rest, "~")) {
    length = 1;
  } else if (StartsWith(rest, "null") || StartsWith(rest, "Null") || StartsWith(rest, "NULL")) {
    length = 4;
  } else {
    return false;
  }
  if (rest.size() == length) return true;
  char next = rest[length];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == ',' ||
         next == '}' || next == ']' || next == '#';
}

}  // namespace peerlock::plan_internal
