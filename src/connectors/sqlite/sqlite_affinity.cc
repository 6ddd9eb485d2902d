#include "connectors/sqlite/sqlite_affinity.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "base/strings.h"
#include "connectors/sqlite/sqlite_statement.h"

namespace peerlock {
namespace {

// At most `bytes` bytes of `text`, never cutting a UTF-8 character (messages are JSON).
std::string_view Utf8Prefix(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return text.substr(0, bytes);
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// An integer literal as SQLite reads one: optional white space, an optional sign, digits.
bool IsIntegerLiteral(std::string_view text) {
  text = Trimmed(text);
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

bool FitsInt64(std::string_view text) {
  text = Trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

SqliteAffinity AffinityOf(std::string_view declared_type) {
  std::string d = ToLower(std::string(declared_type));
  auto has = [&](const char* part) { return d.find(part) != std::string::npos; };
  if (has("int")) return SqliteAffinity::kInteger;
  if (has("char") || has("clob") || has("text")) return SqliteAffinity::kText;
  if (has("blob") || d.empty()) return SqliteAffinity::kBlob;
  if (has("real") || has("floa") || has("doub")) return SqliteAffinity::kReal;
  return SqliteAffinity::kNumeric;
}

Result<SqliteWriteColumns> DescribeWriteColumns(sqlite3* db, const std::string& table,
                                                const std::vector<std::string>& columns) {
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(db, "SELECT name, type, pk FROM pragma_table_xinfo(?1)"));
  PL_TRY(stmt.BindText(1, table));
  SqliteWriteColumns out{.affinity = std::vector(columns.size(), SqliteAffinity::kBlob)};
  std::vector<std::pair<int64_t, int>> key;  // (place in the primary key, position)
  while (true) {
    PL_ASSIGN(bool row, stmt.Step());
    if (!row) break;
    std::string name = stmt.Text(0);
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] != name) continue;
      out.affinity[i] = AffinityOf(stmt.Text(1));
      if (stmt.Int(2) > 0) key.emplace_back(stmt.Int(2), static_cast<int>(i));
    }
  }
  std::sort(key.begin(), key.end());
  for (const auto& k : key) out.key.push_back(k.second);
  return out;
}

Status CheckStoredExactly(SqliteAffinity affinity, const ValueView& value) {
  if (value.kind != ValueKind::kText) return {};
  if (affinity == SqliteAffinity::kText || affinity == SqliteAffinity::kBlob) return {};
  if (!IsIntegerLiteral(value.s) || FitsInt64(value.s)) return {};
  return Fail(
      Error(ErrorCode::kDataLoss,
            "the integer " + std::string(value.s) +
                " does not fit SQLite's signed 64-bit INTEGER (SQLite would store it "
                "as a rounded REAL)")
          .WithHint("map the column to exact decimal text in the plan "
                    "(transform: {TABLE: {columns: {COLUMN: {cast: \"decimal(20,0)\"}}}}); "
                    "a primary-key column cannot be cast: such a key has no exact SQLite form, "
                    "so migrate that table to another target"));
}

std::string DescribeRowKey(const RowBatch& batch, size_t row, const std::vector<int>& key,
                           const std::vector<std::string>& columns) {
  std::vector<std::string> parts;
  for (int k : key) {
    ValueView v = batch.Get(row, k);
    std::string text;
    switch (v.kind) {
      case ValueKind::kNull: text = "NULL"; break;
      case ValueKind::kInt: text = std::to_string(v.i); break;
      case ValueKind::kFloat: text = std::to_string(v.f); break;
      case ValueKind::kText: text = std::string(Utf8Prefix(v.s, 64)); break;
      case ValueKind::kBytes: text = "(" + std::to_string(v.s.size()) + " bytes)"; break;
    }
    parts.push_back(columns[k] + "=" + text);
  }
  return parts.empty() ? "" : "key " + Join(parts, ", ");
}

}  // namespace peerlock
