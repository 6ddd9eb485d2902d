#pragma once
// Internal to src/plan: typed reads of yaml-cpp nodes that either yield a value or a located
// plan error (plan_error.h), so the parser reads as a description of the file format. Every
// error names the value by its path ("copy.workers") and points at it in the file.
// Never throws: only non-throwing yaml-cpp accessors are used (no as<>, no Mark() of an
// invalid node). A PlanYaml borrows the text it was given; not thread-safe.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "plan/plan.h"

namespace peerlock::plan_internal {

// One value of the plan file and how errors name it.
struct Field {
  YAML::Node node;
  SourceLocation where;  // of the value; of its key when the value is empty (it has no mark)
  std::string path;      // "tables.include"; empty for the whole plan
};

// One key of a map, in file order.
struct Entry {
  std::string key;
  SourceLocation key_where;
  Field value;
};

class PlanYaml {
 public:
  // `text` must outlive this object; `file` names the plan in errors.
  PlanYaml(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Parses the text, which must hold exactly one YAML document (an empty text is an error too).
  // Syntax errors become located plan errors; nothing is thrown.
  Result<YAML::Node> LoadDocument() const;

  // The 1-based location of `node` (or of a yaml-cpp mark); {0, 0} when it has none.
  static SourceLocation Where(const YAML::Node& node);
  static SourceLocation FromMark(const YAML::Mark& mark);
  // The whole document as a Field.
  static Field Root(const YAML::Node& node) { return {node, Where(node), ""}; }

  Error Fail(SourceLocation where, const std::string& what, const std::string& expected,
             std::string hint) const;

  // The entries of a map, in file order. Each key must be one of `keys` (an empty list allows
  // any key) and appear once. An empty value (`tables:` alone) reads as an empty map.
  Result<std::vector<Entry>> Entries(const Field& map, const std::vector<std::string>& keys,
                                     const std::string& expected) const;
  // A single-line-or-more string; empty strings are errors unless `allow_empty`.
  Result<std::string> String(const Field& field, const std::string& expected,
                             bool allow_empty = false) const;
  Result<int64_t> Integer(const Field& field, int64_t min, int64_t max,
                          const std::string& hint) const;
  Result<bool> Bool(const Field& field) const;
  // A list of non-empty strings, or one string standing for a list of one.
  Result<std::vector<std::string>> StringList(const Field& field,
                                              const std::string& expected) const;
  // Whether the value is a written null (`null`, `~`) rather than nothing at all.
  bool IsWrittenNull(const YAML::Node& node) const;

  // "a map", "a list", "'text'", "empty": what the user wrote, for "x is ..., expected ...".
  static std::string Describe(const YAML::Node& node);
  // "copy.workers", or "the plan" for the root.
  static std::string Name(const Field& field);

 private:
  std::string_view text_;
  std::string file_;
};

}  // namespace peerlock::plan_internal
