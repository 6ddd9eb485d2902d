#pragma once
// Decoding of the row images of ROW-format binary log events (WRITE/UPDATE/DELETE_ROWS, V1 and
// V2) into RowBatch cells that are exactly what MysqlSession::Read delivers for the same stored
// value: same ValueKind, same text (docs/mysql.md, "Change capture"). The TABLE_MAP event says
// how a column is stored; information_schema says what it means (signedness, character set,
// ENUM/SET labels, BINARY padding), so both are combined in BinlogColumn.
//
// Our own decoder rather than Connector/C's mariadb_rpl_extract_rows: the cells must match the
// copy reader byte for byte (DECIMAL scale, TIME past 24 hours, zero dates, BIT width, BINARY
// padding), which needs the stored form, not a MYSQL_TIME or a double.
// Pure (no I/O); thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/row_batch.h"

namespace peerlock {

// What a column's value means, from information_schema.COLUMNS.
enum class BinlogValue : uint8_t {
  kSigned,    // integer types, YEAR
  kUnsigned,  // integer types declared UNSIGNED (BIGINT above INT64_MAX becomes decimal text)
  kFloat32,   // FLOAT: the double nearest the float's shortest text (as the copy reads it)
  kDouble,    // DOUBLE
  kText,      // DECIMAL, temporal types, and character data in utf8mb4/utf8mb3/ascii
  kLatin1,    // character data in latin1 (MariaDB's cp1252): converted to UTF-8
  kBytes,     // BINARY/VARBINARY/BLOB: raw bytes (BINARY(n) re-padded with zero bytes)
  kEnum,      // ENUM: the label
  kSet,       // SET: the labels, comma-separated
  kBits,      // BIT(n): n '0'/'1' characters
  kGeometry,  // spatial: the logged SRID + WKB bytes; the caller turns them into WKT
};

struct BinlogColumn {
  uint8_t type = 0;   // storage type as logged in the TABLE_MAP (enum_field_types)
  uint16_t meta = 0;  // its metadata, as ParseTableMapColumns packs it
  BinlogValue value = BinlogValue::kText;
  int width = 0;                    // BIT(n): n; BINARY(n): n; else 0
  std::vector<std::string> labels;  // ENUM and SET labels in definition order
};

// Fills type and meta of `columns` (one per logged column) from a TABLE_MAP event's column
// type bytes and metadata block. Fails on a type PeerLock cannot decode (MySQL's binary JSON,
// compressed columns), naming the column index.
Status ParseTableMapColumns(std::string_view types, std::string_view metadata,
                            std::vector<BinlogColumn>& columns);

// Reads the row images of one rows event's row data, in order.
class BinlogRowReader {
 public:
  explicit BinlogRowReader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  // Decodes one image of the columns whose bit is set in `present` (the event's column
  // bitmap) and appends one row of columns.size() cells to `out`; columns not present are
  // appended as NULL and flagged in `absent` (resized to columns.size()).
  Status ReadImage(const std::vector<BinlogColumn>& columns, std::string_view present,
                   RowBatch& out, std::vector<bool>& absent);

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Latin-1 bytes as MariaDB reads them (cp1252 with its five undefined bytes as C1 controls),
// in UTF-8.
std::string Latin1ToUtf8(std::string_view bytes);

// Labels of an information_schema COLUMN_TYPE "enum('a','it''s')" or "set(...)".
std::vector<std::string> ParseEnumLabels(std::string_view column_type);

}  // namespace peerlock
