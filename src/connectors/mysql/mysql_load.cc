// MysqlSession's load side: LOAD DATA LOCAL INFILE fed from memory through Connector/C's
// local-infile callbacks (no temporary file), in one transaction with the chunk's marker row.
#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "base/fault_points.h"
#include "base/strings.h"
#include "connectors/mysql/mysql_session.h"
#include "connectors/mysql/mysql_values.h"

namespace peerlock {
namespace {

// Serialises rows on demand for the server's read callbacks.
class InfileFeeder {
 public:
  InfileFeeder(RowSource& rows, std::vector<MysqlWriteMode> modes)
      : rows_(rows), modes_(std::move(modes)) {}

  // Fills `buf`; returns bytes written, 0 at the end, -1 on error.
  int Read(char* buf, unsigned len) {
    while (pending_.size() - offset_ == 0) {
      if (done_) return 0;
      pending_.clear();
      offset_ = 0;
      auto more = rows_.Next(batch_);
      if (!more) {
        error_ = more.error();
        return -1;
      }
      if (!*more) {
        done_ = true;
        return 0;
      }
      if (batch_.columns() != static_cast<int>(modes_.size())) {
        error_ = Error(ErrorCode::kInternal, "row batch has the wrong number of columns");
        return -1;
      }
      for (size_t r = 0; r < batch_.rows(); ++r) {
        for (int c = 0; c < batch_.columns(); ++c) {
          if (c) pending_ += '\t';
          AppendLoadField(batch_.Get(r, c), modes_[c], pending_);
        }
        pending_ += '\n';
        ++rows_sent_;
        FaultPoint("copy.row_inserted");  // crash tests: die mid-transaction
      }
    }
    size_t n = std::min<size_t>(len, pending_.size() - offset_);
    std::memcpy(buf, pending_.data() + offset_, n);
    offset_ += n;
    return static_cast<int>(n);
  }

  int64_t rows_sent() const { return rows_sent_; }
  const std::optional<Error>& error() const { return error_; }

  static int Init(void** ptr, const char*, void* userdata) {
    *ptr = userdata;
    return 0;
  }
  static int ReadCb(void* ptr, char* buf, unsigned len) {
    return static_cast<InfileFeeder*>(ptr)->Read(buf, len);
  }
  static void End(void*) {}
  static int ErrorCb(void* ptr, char* msg, unsigned len) {
    auto* self = static_cast<InfileFeeder*>(ptr);
    std::string text = self->error_ ? self->error_->message() : "load stream failed";
    std::snprintf(msg, len, "%s", text.c_str());
    return 2000;  // CR_UNKNOWN_ERROR
  }

 private:
  RowSource& rows_;
  std::vector<MysqlWriteMode> modes_;
  RowBatch batch_;
  std::string pending_;
  size_t offset_ = 0;
  bool done_ = false;
  int64_t rows_sent_ = 0;
  std::optional<Error> error_;
};

}  // namespace

Result<int64_t> MysqlSession::LoadChunk(const std::string& table,
                                        const std::vector<std::string>& columns, RowSource& rows,
                                        const ChunkMarker& marker) {
  PL_TRY(EnsureBookkeeping());
  PL_ASSIGN(auto* info, Info(table));
  std::vector<MysqlWriteMode> modes;
  std::vector<std::string> targets, sets;
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnInfo* col = nullptr;
    for (const auto& c : *info)
      if (c.name == columns[i]) col = &c;
    if (!col)
      return Fail(Error(ErrorCode::kNotFound,
                        "target table " + table + " has no column '" + columns[i] + "'"));
    MysqlWriteMode mode = WriteModeFor(col->data_type, col->column_type);
    modes.push_back(mode);
    std::string quoted = dialect_.QuoteIdentifier(columns[i]);
    std::string var = fmt::format("@peerlock_{}", i);
    switch (mode) {
      case MysqlWriteMode::kHex: sets.push_back(quoted + " = unhex(" + var + ")"); break;
      case MysqlWriteMode::kBits:
        sets.push_back(quoted + " = cast(conv(" + var + ", 2, 10) AS UNSIGNED)");
        break;
      case MysqlWriteMode::kGeometry:
        // WKT, or "SRID=n;WKT" (a WKT never holds ';').
        sets.push_back(fmt::format(
            "{0} = ST_GeomFromText(SUBSTRING_INDEX({1}, ';', -1), IF({1} LIKE 'SRID=%', "
            "SUBSTRING_INDEX(SUBSTRING({1}, 6), ';', 1), 0))",
            quoted, var));
        break;
      default: targets.push_back(quoted); continue;
    }
    targets.push_back(var);
  }
  std::string load = "LOAD DATA LOCAL INFILE 'peerlock-chunk' INTO TABLE " +
                     dialect_.QuoteIdentifier(table) +
                     " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ENCLOSED BY '' "
                     "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' STARTING BY '' (" +
                     Join(targets, ", ") + ")";
  if (!sets.empty()) load += " SET " + Join(sets, ", ");

  PL_TRY(Execute("START TRANSACTION"));
  // Everything below either commits together with the marker or rolls back.
  auto body = [&]() -> Result<int64_t> {
    InfileFeeder feeder(rows, std::move(modes));
    MYSQL* h = conn_->handle();
    mysql_set_local_infile_handler(h, &InfileFeeder::Init, &InfileFeeder::ReadCb,
                                   &InfileFeeder::End, &InfileFeeder::ErrorCb, &feeder);
    int rc = mysql_real_query(h, load.data(), load.size());
    mysql_set_local_infile_default(h);
    if (feeder.error()) return Fail(*feeder.error());
    if (rc != 0) return Fail(conn_->LastError("loading " + table));
    int64_t affected = static_cast<int64_t>(mysql_affected_rows(h));
    if (mysql_warning_count(h) > 0) {
      // LOAD DATA LOCAL turns value errors into warnings (the server cannot stop the
      // stream); any warning means a value did not land exactly.
      PL_ASSIGN(auto warnings, conn_->Query("SHOW WARNINGS LIMIT 5"));
      std::vector<std::string> messages;
      for (auto& w : warnings) messages.push_back(w.size() > 2 ? w[2].value_or("") : "");
      return Fail(Error(ErrorCode::kDataLoss, "loading " + table + ": the server changed or " +
                                                  "refused values: " + Join(messages, "; "))
                      .WithHint("fix the rows named, or add a cast rule for the column in the "
                                "plan; the chunk was rolled back"));
    }
    if (affected != feeder.rows_sent())
      return Fail(Error(ErrorCode::kBlocked,
                        fmt::format("loading {}: {} rows sent but {} stored (duplicate keys?)",
                                    table, feeder.rows_sent(), affected))
                      .WithHint("the target already holds some of these rows; use "
                                "--if-exists replace to start over"));
    PL_TRY(Execute(
        fmt::format("INSERT INTO _peerlock_chunks (run_id, table_name, chunk, `rows`, digest) "
                    "VALUES ({}, {}, {}, {}, {})",
                    conn_->Literal(marker.run_id), conn_->Literal(marker.table), marker.chunk,
                    affected, conn_->Literal(marker.digest))));
    return affected;
  };
  auto loaded = body();
  if (!loaded) {
    (void)Execute("ROLLBACK");  // the load error is the one worth reporting
    return loaded;
  }
  PL_TRY(Execute("COMMIT"));
  return loaded;
}

}  // namespace peerlock
