#include "connectors/mysql/mysql_ddl_events.h"

#include <cctype>

#include "base/strings.h"

namespace peerlock {
namespace {

struct Token {
  std::string text;  // keywords uppercased; identifiers as written, unquoted
  bool quoted = false;
};

std::vector<Token> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (sql.substr(i, 2) == "--" || c == '#') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '`' || c == '"' || c == '\'') {
      Token t{.quoted = true};
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == c && i + 1 < sql.size() && sql[i + 1] == c) {
          t.text += c;
          ++i;
        } else if (sql[i] == c) {
          ++i;
          break;
        } else {
          t.text += sql[i];
        }
      }
      if (c == '\'') t.text = "'";  // a string literal: its content never names a table
      tokens.push_back(std::move(t));
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t start = i;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                                sql[i] == '$' || static_cast<unsigned char>(sql[i]) >= 0x80))
        ++i;
      tokens.push_back(Token{.text = std::string(sql.substr(start, i - start))});
    } else {
      tokens.push_back(Token{.text = std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

class Cursor {
 public:
  explicit Cursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}
  bool done() const { return at_ >= tokens_.size(); }
  // Consumes the keyword `word` (case-insensitive, unquoted) when it is next.
  bool Take(std::string_view word) {
    if (done() || tokens_[at_].quoted || ToLower(tokens_[at_].text) != ToLower(word)) return false;
    ++at_;
    return true;
  }
  // A [database.]table name; false when none is next.
  bool Name(const std::string& current, std::string* database, std::string* table) {
    if (done()) return false;
    std::string first = tokens_[at_++].text;
    if (!done() && tokens_[at_].text == "." && !tokens_[at_].quoted && at_ + 1 < tokens_.size()) {
      *database = first;
      *table = tokens_[at_ + 1].text;
      at_ += 2;
    } else {
      *database = current;
      *table = first;
    }
    return true;
  }
  // The rest of the statement, for the ALTER clause check.
  std::vector<Token> Rest() const {
    return std::vector<Token>(tokens_.begin() + static_cast<long>(std::min(at_, tokens_.size())),
                              tokens_.end());
  }

 private:
  std::vector<Token> tokens_;
  size_t at_ = 0;
};

// "ADD [COLUMN] [IF NOT EXISTS] c <type ...>" adding one nullable column at the end.
bool AddsNullableColumnAtEnd(const std::vector<Token>& rest) {
  if (rest.empty() || rest[0].quoted || ToLower(rest[0].text) != "add") return false;
  size_t i = 1;
  if (i < rest.size() && !rest[i].quoted && ToLower(rest[i].text) == "column") ++i;
  if (i < rest.size() && !rest[i].quoted) {
    std::string word = ToLower(rest[i].text);
    // ADD INDEX / KEY / CONSTRAINT / PRIMARY ... are not columns; "(" adds several.
    for (const char* not_column : {"index", "key", "constraint", "primary", "unique", "foreign",
                                   "fulltext", "spatial", "check", "partition", "("})
      if (word == not_column) return false;
  }
  int depth = 0;
  for (size_t j = i; j < rest.size(); ++j) {
    const Token& t = rest[j];
    if (t.quoted) continue;
    if (t.text == "(") ++depth;
    if (t.text == ")") --depth;
    std::string word = ToLower(t.text);
    if (depth == 0 && (t.text == "," || word == "first" || word == "after" || word == "primary" ||
                       word == "unique" || word == "auto_increment"))
      return false;
    if (word == "not" && j + 1 < rest.size() && ToLower(rest[j + 1].text) == "null" &&
        !(j >= 1 && ToLower(rest[j - 1].text) == "if"))
      return false;
  }
  return true;
}

}  // namespace

std::vector<DdlHit> TablesChangedBy(std::string_view sql, const std::string& current,
                                    const std::string& database) {
  std::vector<DdlHit> hits;
  Cursor c(Tokenize(sql));
  std::string db, table;
  auto add = [&](DdlKind kind) {
    if (db == database) hits.push_back(DdlHit{.kind = kind, .table = table});
  };
  if (c.Take("truncate")) {
    c.Take("table");
    if (c.Name(current, &db, &table)) add(DdlKind::kTruncate);
  } else if (c.Take("alter")) {
    c.Take("online");
    c.Take("ignore");
    if (!c.Take("table")) return hits;
    if (c.Take("if")) c.Take("exists");
    if (!c.Name(current, &db, &table)) return hits;
    add(AddsNullableColumnAtEnd(c.Rest()) ? DdlKind::kAddNullableColumnAtEnd : DdlKind::kOther);
  } else if (c.Take("drop")) {
    if (c.Take("temporary")) return hits;  // a temporary table only shadows ours
    if (c.Take("database") || c.Take("schema")) {
      if (c.Take("if")) c.Take("exists");
      std::string unused;
      if (c.Name(current, &unused, &db)) {
        table = "*";
        add(DdlKind::kOther);
      }
      return hits;
    }
    if (!c.Take("table")) return hits;
    if (c.Take("if")) c.Take("exists");
    while (c.Name(current, &db, &table)) {
      add(DdlKind::kOther);
      if (!c.Take(",")) break;
    }
  } else if (c.Take("rename")) {
    if (!c.Take("table")) return hits;
    while (c.Name(current, &db, &table)) {
      add(DdlKind::kOther);
      if (!c.Take("to") || !c.Name(current, &db, &table)) break;
      add(DdlKind::kOther);
      if (!c.Take(",")) break;
    }
  } else if (c.Take("create")) {
    if (!c.Take("or") || !c.Take("replace")) return hits;
    if (c.Take("temporary")) return hits;
    if (!c.Take("table")) return hits;
    if (c.Name(current, &db, &table)) add(DdlKind::kOther);
  }
  return hits;
}

}  // namespace peerlock
