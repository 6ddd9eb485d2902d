#include "connectors/sqlite/sqlite_capture.h"

#include <algorithm>
#include <set>

#include "base/strings.h"
#include "connectors/sqlite/sqlite_session.h"
#include "connectors/sqlite/sqlite_sql.h"
#include "connectors/sqlite/sqlite_transaction.h"

namespace peerlock {
namespace {

constexpr const char* kEvents[] = {"ins", "upd", "del"};

std::string QuoteText(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// One changelog row for `table`'s key as seen through `row` ("NEW" or "OLD").
std::string ChangelogInsert(const SqliteDialect& d, const std::string& changelog,
                            const CaptureTable& t, const char* op, const std::string& row,
                            const std::string& only_if = "") {
  std::vector<std::string> targets = {"tbl", "op"}, values = {QuoteText(t.table), QuoteText(op)};
  for (size_t i = 0; i < t.key.size(); ++i) {
    targets.push_back("k" + std::to_string(i + 1));
    values.push_back(row + "." + d.QuoteIdentifier(t.key[i]));
  }
  std::string sql =
      "INSERT INTO " + d.QuoteIdentifier(changelog) + " (" + Join(targets, ", ") + ") ";
  if (only_if.empty()) return sql + "VALUES (" + Join(values, ", ") + ");";
  return sql + "SELECT " + Join(values, ", ") + " WHERE " + only_if + ";";
}

// The three triggers of one table. An update that changes the key records the old key as
// replaced ('D') before the new one, so the stream also deletes the old row.
std::vector<std::string> TriggerSql(const SqliteDialect& d, const SqliteCaptureNames& names,
                                    const CaptureTable& t) {
  std::vector<std::string> key_changed;
  for (const auto& k : t.key)
    key_changed.push_back("OLD." + d.QuoteIdentifier(k) + " IS NOT NEW." + d.QuoteIdentifier(k));
  std::string bodies[] = {
      ChangelogInsert(d, names.changelog, t, "I", "NEW"),
      ChangelogInsert(d, names.changelog, t, "D", "OLD", Join(key_changed, " OR ")) + "\n  " +
          ChangelogInsert(d, names.changelog, t, "U", "NEW"),
      ChangelogInsert(d, names.changelog, t, "D", "OLD"),
  };
  const char* events[] = {"INSERT", "UPDATE", "DELETE"};
  std::vector<std::string> sql;
  for (int i = 0; i < 3; ++i)
    sql.push_back("CREATE TRIGGER IF NOT EXISTS " +
                  d.QuoteIdentifier(names.Trigger(t.table, kEvents[i])) + " AFTER " + events[i] +
                  " ON " + d.QuoteIdentifier(t.table) + " BEGIN\n  " + bodies[i] + "\nEND");
  return sql;
}

// Adds key columns k<n> (no declared type: values keep their storage class) up to `width`.
Status WidenChangelog(SqliteSession& s, const std::string& changelog, size_t width) {
  PL_ASSIGN(size_t have, ChangelogKeyWidth(s, changelog));
  SqliteDialect d;
  for (size_t i = have + 1; i <= width; ++i)
    PL_TRY(s.Execute("ALTER TABLE " + d.QuoteIdentifier(changelog) + " ADD COLUMN k" +
                     std::to_string(i)));
  return {};
}

Result<std::string> RecordedStart(SqliteSession& s, const std::string& name) {
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(
                s.handle(), "SELECT start_position FROM _peerlock_capture WHERE name = ?1"));
  PL_TRY(stmt.BindText(1, name));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? stmt.Text(0) : std::string();
}

Result<std::string> LastSeq(SqliteSession& s, const std::string& changelog) {
  PL_ASSIGN(auto stmt,
            SqliteStatement::Prepare(s.handle(), "SELECT coalesce(max(seq), 0) FROM " +
                                                     SqliteDialect().QuoteIdentifier(changelog)));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? stmt.Text(0) : std::string("0");
}

Result<std::unique_ptr<SqliteSession>> OpenWritable(const Endpoint& source) {
  auto session = SqliteSession::Open(source, SessionOptions{.read_only = false});
  if (!session)
    return Fail(
        session.error().Context("change capture opens the source read-write (it keeps a changelog "
                                "and triggers in the file)"));
  return session;
}

}  // namespace

SqliteCaptureNames::SqliteCaptureNames(const std::string& capture_name)
    : prefix(StartsWith(capture_name, "_peerlock_")  ? capture_name
             : StartsWith(capture_name, "peerlock_") ? "_" + capture_name
                                                     : "_peerlock_" + capture_name),
      changelog(prefix + "_changelog") {}

std::string SqliteCaptureNames::Trigger(const std::string& table, const char* event) const {
  return prefix + "_" + table + "_" + event;
}

Result<size_t> ChangelogKeyWidth(SqliteSession& s, const std::string& changelog) {
  PL_ASSIGN(auto stmt, SqliteStatement::Prepare(s.handle(),
                                                "SELECT count(*) FROM pragma_table_info(?1) "
                                                "WHERE name GLOB 'k[0-9]*'"));
  PL_TRY(stmt.BindText(1, changelog));
  PL_ASSIGN(bool row, stmt.Step());
  return row ? static_cast<size_t>(stmt.Int(0)) : 0;
}

Result<std::vector<std::string>> GainedColumns(SqliteSession& s, const CaptureTable& t) {
  PL_ASSIGN(auto cols, SqliteStatement::Prepare(s.handle(), sql::kTableColumns));
  PL_TRY(cols.BindText(1, t.table));
  std::vector<std::string> gained;
  while (true) {
    PL_ASSIGN(bool row, cols.Step());
    if (!row) break;
    std::string name = cols.Text(1);
    if (cols.Int(6) != 0) continue;  // generated: computed, never captured
    if (std::find(t.columns.begin(), t.columns.end(), name) == t.columns.end() &&
        std::find(t.ignored.begin(), t.ignored.end(), name) == t.ignored.end())
      gained.push_back(name);
  }
  return gained;
}

Status CheckCaptureTable(SqliteSession& s, const CaptureTable& t) {
  if (t.key.empty())
    return Fail(
        Error(ErrorCode::kUnsupported,
              "table " + t.table +
                  " has no primary key: SQLite change capture finds changed rows by key "
                  "(the copy's row ids are not kept by the target)")
            .WithHint("add a primary key to " + t.table + ", or leave the table out of the sync"));
  PL_ASSIGN(auto cols, SqliteStatement::Prepare(s.handle(), sql::kTableColumns));
  PL_TRY(cols.BindText(1, t.table));
  std::set<std::string> present;
  while (true) {
    PL_ASSIGN(bool row, cols.Step());
    if (!row) break;
    present.insert(cols.Text(1));
  }
  if (present.empty())
    return Fail(Error(ErrorCode::kUnsupported, "table " + t.table + " does not exist")
                    .WithHint("leave it out of the sync, or restore it"));
  std::vector<std::string> missing;
  for (const auto& c : t.columns)
    if (!present.contains(c)) missing.push_back(c);
  for (const auto& c : t.key)
    if (!present.contains(c) && std::find(missing.begin(), missing.end(), c) == missing.end())
      missing.push_back(c);
  if (missing.empty()) return {};
  PL_ASSIGN(auto def,
            SqliteStatement::Prepare(s.handle(),
                                     "SELECT sql FROM sqlite_schema WHERE type = 'table' AND "
                                     "name = ?1"));
  PL_TRY(def.BindText(1, t.table));
  PL_ASSIGN(bool has_def, def.Step());
  return Fail(Error(ErrorCode::kUnsupported,
                    "table " + t.table + " has no column " + Join(missing, ", ") +
                        " any more; it is now: " + (has_def ? def.Text(0) : std::string("?")))
                  .WithHint("only adding a column is followed while syncing; restart the sync "
                            "(peerlock sync --drop, then peerlock sync) after other changes"));
}

Result<std::unique_ptr<CaptureHandle>> StartSqliteCapture(const Endpoint& source,
                                                          const CaptureSpec& spec) {
  SqliteCaptureNames names(spec.name);
  size_t width = 0;
  for (const auto& t : spec.tables) width = std::max(width, t.key.size());
  PL_ASSIGN(auto session, OpenWritable(source));
  SqliteSession& s = *session;
  SqliteDialect d;
  // Changelog, triggers and start position in one write transaction: a write committed before
  // it is in every snapshot the copy reads afterwards, a write after it is in the changelog.
  auto start = InSqliteTransaction(s, "BEGIN IMMEDIATE", [&]() -> Result<std::string> {
    for (const auto& t : spec.tables) PL_TRY(CheckCaptureTable(s, t));
    PL_TRY(s.Execute(std::string(sql::kCaptureState)));
    std::string changelog_sql(sql::kChangelog);
    const std::string placeholder = "EXISTS _peerlock_changelog";
    changelog_sql.replace(changelog_sql.find(placeholder), placeholder.size(),
                          "EXISTS " + d.QuoteIdentifier(names.changelog));
    PL_TRY(s.Execute(changelog_sql));
    PL_TRY(WidenChangelog(s, names.changelog, width));
    for (const auto& t : spec.tables)
      for (const auto& trigger : TriggerSql(d, names, t)) PL_TRY(s.Execute(trigger));
    PL_ASSIGN(std::string recorded, RecordedStart(s, spec.name));
    if (!recorded.empty()) return recorded;
    PL_ASSIGN(std::string position, LastSeq(s, names.changelog));
    PL_ASSIGN(
        auto record,
        SqliteStatement::Prepare(
            s.handle(), "INSERT INTO _peerlock_capture (name, start_position) VALUES (?1, ?2)"));
    PL_TRY(record.BindText(1, spec.name));
    PL_TRY(record.BindText(2, position));
    PL_TRY(record.Run());
    return position;
  });
  if (!start) return Fail(start.error().Context("starting change capture " + spec.name));
  // SQLite connections cannot join another connection's read point: no snapshot to share.
  return std::unique_ptr<CaptureHandle>(new PositionOnlyCaptureHandle(*start));
}

Status DropSqliteCapture(const Endpoint& source, const CaptureSpec& spec) {
  SqliteCaptureNames names(spec.name);
  PL_ASSIGN(auto session, OpenWritable(source));
  SqliteSession& s = *session;
  SqliteDialect d;
  auto dropped = InSqliteTransaction(s, "BEGIN IMMEDIATE", [&]() -> Status {
    // Triggers of tables no longer in the spec too: every trigger writing to this changelog.
    PL_ASSIGN(auto list,
              SqliteStatement::Prepare(s.handle(),
                                       "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND "
                                       "substr(name, 1, length(?1)) = ?1 AND instr(sql, ?2) > 0"));
    const std::string prefix = names.prefix + "_", target = d.QuoteIdentifier(names.changelog);
    PL_TRY(list.BindText(1, prefix));  // bound without a copy: locals outlive the steps
    PL_TRY(list.BindText(2, target));
    std::vector<std::string> triggers;
    while (true) {
      PL_ASSIGN(bool row, list.Step());
      if (!row) break;
      triggers.push_back(list.Text(0));
    }
    list.Reset();
    for (const auto& t : spec.tables)
      for (const char* event : kEvents) triggers.push_back(names.Trigger(t.table, event));
    for (const auto& trigger : triggers)
      PL_TRY(s.Execute("DROP TRIGGER IF EXISTS " + d.QuoteIdentifier(trigger)));
    PL_TRY(s.Execute("DROP TABLE IF EXISTS " + d.QuoteIdentifier(names.changelog)));
    PL_ASSIGN(bool state, s.TableExists("_peerlock_capture"));
    if (!state) return {};
    PL_ASSIGN(auto forget, SqliteStatement::Prepare(
                               s.handle(), "DELETE FROM _peerlock_capture WHERE name = ?1"));
    PL_TRY(forget.BindText(1, spec.name));
    PL_TRY(forget.Run());
    PL_ASSIGN(bool empty, s.TableIsEmpty("_peerlock_capture"));
    if (empty) PL_TRY(s.Execute("DROP TABLE _peerlock_capture"));
    return {};
  });
  if (!dropped) return Fail(dropped.error().Context("dropping change capture " + spec.name));
  return {};
}

Result<std::unique_ptr<CaptureHandle>> SqliteSession::StartCapture(const CaptureSpec& spec) {
  return StartSqliteCapture(endpoint_, spec);
}

// The newest changelog entry of the file's capture ("" when the file has none, or several:
// the call does not say which capture it means).
Result<std::string> SqliteSession::CurrentPosition() {
  PL_ASSIGN(bool state, TableExists("_peerlock_capture"));
  if (!state) return std::string();
  PL_ASSIGN(auto captures, SqliteStatement::Prepare(db_, "SELECT name FROM _peerlock_capture"));
  std::vector<std::string> names;
  while (true) {
    PL_ASSIGN(bool row, captures.Step());
    if (!row) break;
    names.push_back(captures.Text(0));
  }
  if (names.size() != 1) return std::string();
  return LastSeq(*this, SqliteCaptureNames(names[0]).changelog);
}

Status SqliteSession::DropCapture(const CaptureSpec& spec) {
  return DropSqliteCapture(endpoint_, spec);
}

}  // namespace peerlock
