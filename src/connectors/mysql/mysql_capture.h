#pragma once
// Change capture from a MariaDB/MySQL binary log (the source half of `peerlock sync`): the
// preflight that refuses a server which cannot capture, the capture's starting position, and
// the change stream that reads the binlog over the replication protocol (Connector/C's
// mariadb_rpl_*) and decodes row events into ChangeTxn (docs/mysql.md, "Change capture").
//
// Positions are "<binlog file>:<offset>", e.g. "mariadb-bin.000003:1234": the offset of the
// first event not yet delivered. Nothing persists on the server for a capture (the binlog is
// kept by expire_logs_days / binlog_expire_logs_seconds), so there is nothing to drop.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/change_capture.h"
#include "connector/endpoint.h"
#include "connectors/mysql/mysql_binlog_rows.h"
#include "connectors/mysql/mysql_connection.h"

namespace peerlock {

struct BinlogPosition {
  std::string file;
  uint64_t offset = 0;

  std::string ToString() const { return file + ":" + std::to_string(offset); }
  // nullopt when `text` is not "<file>:<offset>".
  static std::optional<BinlogPosition> Parse(const std::string& text);
  // Order of positions in one server's binlog: by the file's sequence number, then offset.
  bool Before(const BinlogPosition& other) const;
};

// How one captured table's logged rows become delivered rows, read from information_schema.
struct CaptureLayout {
  std::vector<BinlogColumn> columns;  // every table column in ordinal (binlog) order
  std::vector<std::string> names;     // their names, parallel to `columns`
  std::vector<int> deliver;           // per CaptureTable::columns: index into `columns`
  std::vector<int> key;               // per CaptureTable::key: index into the delivered row
  std::string engine;                 // storage engine ("InnoDB", "MyISAM", ...)
  bool has_primary_key = false;
};

// Reads the layout of `table` in the connection's database. Fails naming the table and
// column when a column is missing or its type or character set cannot be decoded.
Result<CaptureLayout> LoadCaptureLayout(MysqlConnection& conn, const CaptureTable& table);

// The current end of the binlog (SHOW MASTER STATUS), with a GRANT hint when refused.
Result<BinlogPosition> CurrentBinlogPosition(MysqlConnection& conn);

// Session::StartCapture for MariaDB/MySQL: checks log_bin, binlog_format = ROW,
// binlog_row_image = FULL, BINLOG MONITOR and REPLICATION SLAVE (by reading the binlog),
// every table's primary key and decodable columns (a non-transactional engine is a warning),
// then returns the current binlog position and no snapshot. Blocks for a few round trips.
Result<std::unique_ptr<CaptureHandle>> StartMysqlCapture(MysqlConnection& conn,
                                                         const CaptureSpec& spec);

// Opens a binlog dump at `from` and reads it to the current end without waiting: the check
// that the user may read the binlog (REPLICATION SLAVE), with a GRANT hint when refused.
Status ProbeBinlogDump(const Endpoint& endpoint, const BinlogPosition& from);

// Session::OpenChangeStream: a stream on two connections of its own (the binlog dump, and
// one for catalog lookups and lag), reading from `position`.
Result<std::unique_ptr<ChangeStream>> OpenMysqlChangeStream(const Endpoint& endpoint,
                                                            const CaptureSpec& spec,
                                                            const std::string& position);

}  // namespace peerlock
