#include "connectors/postgres/postgres_pgoutput.h"

#include <fmt/format.h>

#include <charconv>

namespace peerlock {
namespace {

// Big-endian reads with bounds checks: the first failure sticks and is reported once.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  bool done() const { return pos_ >= data_.size(); }

  uint64_t Int(int bytes) {
    if (!Need(bytes)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += bytes;
    return v;
  }
  char Byte() { return static_cast<char>(Int(1)); }
  // A NUL-terminated string.
  std::string String() {
    size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) {
      ok_ = false;
      return {};
    }
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::string_view Bytes(size_t n) {
    if (!Need(n)) return {};
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  char Peek() const { return pos_ < data_.size() ? data_[pos_] : '\0'; }

 private:
  bool Need(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void ReadTuple(Reader& in, std::vector<PgTupleValue>& out) {
  int n = static_cast<int16_t>(in.Int(2));
  out.clear();
  for (int i = 0; i < n && in.ok(); ++i) {
    PgTupleValue v;
    char kind = in.Byte();
    switch (kind) {
      case 'n': v.kind = PgTupleValue::kNull; break;
      case 'u': v.kind = PgTupleValue::kUnchanged; break;
      case 't':
      case 'b':
        v.kind = static_cast<PgTupleValue::Kind>(kind);
        v.data = in.Bytes(static_cast<uint32_t>(in.Int(4)));
        break;
      default: in.Bytes(SIZE_MAX);  // marks the reader failed
    }
    out.push_back(v);
  }
}

}  // namespace

std::string FormatLsn(Lsn lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

std::optional<Lsn> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) return {};
  uint32_t hi = 0, lo = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size())
    return {};
  return (static_cast<Lsn>(hi) << 32) | lo;
}

Result<PgMessage> DecodePgOutput(std::string_view data) {
  if (data.empty()) return Fail(ErrorCode::kInternal, "pgoutput: empty message");
  Reader in(data);
  PgMessage m;
  m.type = static_cast<PgMessage::Type>(in.Byte());
  switch (m.type) {
    case PgMessage::kBegin:
      m.lsn = in.Int(8);
      m.commit_time_pg = static_cast<int64_t>(in.Int(8));
      m.xid = static_cast<uint32_t>(in.Int(4));
      break;
    case PgMessage::kCommit:
      in.Byte();  // flags, unused
      m.lsn = in.Int(8);
      m.end_lsn = in.Int(8);
      m.commit_time_pg = static_cast<int64_t>(in.Int(8));
      break;
    case PgMessage::kOrigin:
      m.lsn = in.Int(8);
      m.name = in.String();
      break;
    case PgMessage::kRelation: {
      m.relation = static_cast<uint32_t>(in.Int(4));
      m.schema = in.String();
      m.name = in.String();
      m.replica_identity = in.Byte();
      int n = static_cast<int16_t>(in.Int(2));
      for (int i = 0; i < n && in.ok(); ++i) {
        PgRelationColumn c;
        c.key = (in.Byte() & 1) != 0;
        c.name = in.String();
        c.type_oid = static_cast<uint32_t>(in.Int(4));
        c.typmod = static_cast<int32_t>(in.Int(4));
        m.columns.push_back(std::move(c));
      }
      break;
    }
    case PgMessage::kType:
      m.relation = static_cast<uint32_t>(in.Int(4));  // the type's oid
      m.schema = in.String();
      m.name = in.String();
      break;
    case PgMessage::kInsert:
      m.relation = static_cast<uint32_t>(in.Int(4));
      if (in.Byte() != 'N') return Fail(ErrorCode::kInternal, "pgoutput: Insert without 'N'");
      ReadTuple(in, m.new_tuple);
      break;
    case PgMessage::kUpdate:
      m.relation = static_cast<uint32_t>(in.Int(4));
      if (in.Peek() == 'K' || in.Peek() == 'O') {
        m.old_kind = in.Byte();
        ReadTuple(in, m.old_tuple);
      }
      if (in.Byte() != 'N') return Fail(ErrorCode::kInternal, "pgoutput: Update without 'N'");
      ReadTuple(in, m.new_tuple);
      break;
    case PgMessage::kDelete:
      m.relation = static_cast<uint32_t>(in.Int(4));
      m.old_kind = in.Byte();
      if (m.old_kind != 'K' && m.old_kind != 'O')
        return Fail(ErrorCode::kInternal, "pgoutput: Delete without 'K' or 'O'");
      ReadTuple(in, m.old_tuple);
      break;
    case PgMessage::kTruncate: {
      int n = static_cast<int32_t>(in.Int(4));
      char options = in.Byte();
      m.cascade = options & 1;
      m.restart_identity = options & 2;
      for (int i = 0; i < n && in.ok(); ++i)
        m.relations.push_back(static_cast<uint32_t>(in.Int(4)));
      break;
    }
    default: return m;  // logical messages and anything newer: not ours to read
  }
  if (!in.ok())
    return Fail(ErrorCode::kInternal, fmt::format("pgoutput: truncated '{}' message ({} bytes)",
                                                  static_cast<char>(m.type), data.size()));
  return m;
}

}  // namespace peerlock
