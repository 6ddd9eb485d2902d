#pragma once
// How a RowBatch cell is written into a MariaDB column: the one encoding shared by bulk loads
// (LOAD DATA text fields) and change apply (SQL literals), so that a value lands identically
// whichever path carries it. Pure functions except SqlValue (which escapes through the
// connection's character set); thread-safe.

#include <string>

#include "connectors/mysql/mysql_connection.h"
#include "core/row_batch.h"

namespace peerlock {

// How a cell is written for one target column.
enum class MysqlWriteMode {
  kPlain,     // escaped text
  kHex,       // binary columns: hex, decoded by UNHEX() (bytes never pass a charset)
  kBits,      // BIT(n): '0'/'1' text, decoded by CONV(.., 2, 10)
  kGeometry,  // spatial: WKT, decoded by ST_GeomFromText()
  kTemporal,  // DATE/TIME/DATETIME/TIMESTAMP: ISO 'T' and a UTC suffix accepted
  kBool,      // TINYINT(1): 't'/'f' accepted
};

// The mode of a column from information_schema's DATA_TYPE and COLUMN_TYPE (lowercase).
MysqlWriteMode WriteModeFor(const std::string& data_type, const std::string& column_type);

// The text the column is given for non-NULL `v` before any field escaping: integers in
// decimal, floats in shortest round-trip form, temporal values without ISO 'T' or UTC suffix,
// booleans as 1/0, integer bits as '0'/'1'; kHex cells as their raw bytes.
std::string WriteText(const ValueView& v, MysqlWriteMode mode);

// Appends `v` as one LOAD DATA field (tab-separated, backslash-escaped, NULL as \N; kHex as
// hex digits for UNHEX()).
void AppendLoadField(const ValueView& v, MysqlWriteMode mode, std::string& out);

// `v` as an SQL expression for the column (NULL, 'text', X'hex', a CONV() of bits, an
// ST_GeomFromText() of WKT).
std::string SqlValue(const ValueView& v, MysqlWriteMode mode, MysqlConnection& conn);

}  // namespace peerlock
