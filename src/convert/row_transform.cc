#include "convert/row_transform.h"

#include <charconv>
#include <cmath>

#include "base/sha256.h"
#include "base/strings.h"
#include "core/canonical.h"

namespace peerlock {
namespace {

std::string KeyText(const TableMapping& m, const RowBatch& in, size_t row) {
  std::vector<std::string> parts;
  for (int pos : m.key_positions) {
    ValueView v = in.Get(row, pos);
    parts.push_back(m.columns[pos].source_name + "=" +
                    (v.is_null() ? "NULL" : Canonical(m.columns[pos].source_type, v)));
  }
  return parts.empty() ? "(no key)" : Join(parts, ", ");
}

// Converts one value to `type`; false when it cannot be carried exactly.
bool CastValue(const LogicalType& type, const ValueView& v, RowBatch& out) {
  if (v.is_null()) {
    out.AddNull();
    return true;
  }
  switch (type.kind) {
    case TypeKind::kInt:
      if (v.kind == ValueKind::kInt) return out.AddInt(v.i), true;
      if (v.kind == ValueKind::kFloat) {
        if (std::trunc(v.f) != v.f || std::fabs(v.f) >= 9.2e18) return false;
        return out.AddInt(static_cast<int64_t>(v.f)), true;
      }
      if (auto n = ParseInt64(Trim(v.s)); n && v.kind == ValueKind::kText)
        return out.AddInt(*n), true;
      return false;
    case TypeKind::kFloat32:
    case TypeKind::kFloat64: {
      if (v.kind == ValueKind::kFloat) return out.AddFloat(v.f), true;
      if (v.kind == ValueKind::kInt) {
        if (std::llabs(v.i) > (int64_t{1} << 53)) return false;
        return out.AddFloat(static_cast<double>(v.i)), true;
      }
      if (v.kind != ValueKind::kText) return false;
      double d = 0;
      std::string t = Trim(v.s);
      auto res = std::from_chars(t.data(), t.data() + t.size(), d);
      if (res.ec != std::errc() || res.ptr != t.data() + t.size()) return false;
      return out.AddFloat(d), true;
    }
    case TypeKind::kDecimal: {
      std::string text = Canonical(MakeType(TypeKind::kDecimal), v);
      if (v.kind == ValueKind::kBytes || CanonicalDecimalText(text) != text ||
          text.find_first_not_of("-0123456789.") != std::string::npos)
        return false;
      auto point = text.find('.');
      int frac = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
      if (type.scale && frac > *type.scale) return false;  // would round
      if (v.kind == ValueKind::kText)
        out.AddText(text);
      else
        out.Add(v);
      return true;
    }
    case TypeKind::kBool:
      if (v.kind == ValueKind::kInt && (v.i == 0 || v.i == 1)) return out.AddInt(v.i), true;
      if (v.kind == ValueKind::kText) {
        std::string t = ToLower(Trim(v.s));
        if (t == "t" || t == "true" || t == "1") return out.AddInt(1), true;
        if (t == "f" || t == "false" || t == "0") return out.AddInt(0), true;
      }
      return false;
    case TypeKind::kBytes:
      if (v.kind == ValueKind::kText || v.kind == ValueKind::kBytes) return out.AddBytes(v.s), true;
      out.AddBytes(Canonical(MakeType(TypeKind::kAny), v));
      return true;
    case TypeKind::kAny: out.Add(v); return true;
    default:  // text-like targets: the canonical text is exact by definition
      if (v.kind == ValueKind::kBytes) return false;
      if (v.kind == ValueKind::kText) return out.AddText(v.s), true;
      out.AddText(Canonical(MakeType(TypeKind::kAny), v));
      return true;
  }
}

}  // namespace

std::string MaskHash(const LogicalType& type, const ValueView& value) {
  return Sha256Hex(Canonical(type, value));
}

Status TransformBatch(const TableMapping& m, const RowBatch& in, RowBatch& out) {
  const int n = static_cast<int>(m.columns.size());
  if (out.columns() != n) out = RowBatch(n);
  out.Clear();
  out.Reserve(in.rows());
  for (size_t r = 0; r < in.rows(); ++r) {
    for (int c = 0; c < n; ++c) {
      const ColumnMapping& cm = m.columns[c];
      ValueView v = in.Get(r, c);
      if (cm.mask) {
        if (v.is_null() || cm.mask->kind == MaskRule::Kind::kNull)
          out.AddNull();
        else if (cm.mask->kind == MaskRule::Kind::kFixed)
          out.AddText(cm.mask->fixed_value);
        else
          out.AddText(MaskHash(cm.source_type, v));
      } else if (cm.cast) {
        if (!CastValue(*cm.cast, v, out))
          return Fail(Error(ErrorCode::kDataLoss,
                            "table " + m.source_table + " row " + KeyText(m, in, r) + " column " +
                                cm.source_name + ": the value cannot be cast to " +
                                LogicalTypeName(*cm.cast) + " without changing it")
                          .WithHint("fix the source row, choose another cast, or mask the column"));
      } else {
        out.Add(v);
      }
    }
  }
  return {};
}

}  // namespace peerlock
