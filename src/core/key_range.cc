#include "core/key_range.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace peerlock {

OwnedValue OwnedValue::From(const ValueView& v) {
  OwnedValue o;
  o.kind = v.kind;
  o.i = v.i;
  o.f = v.f;
  o.s = std::string(v.s);
  return o;
}

ValueView OwnedValue::View() const {
  ValueView v;
  v.kind = kind;
  v.i = i;
  v.f = f;
  v.s = s;
  return v;
}

namespace {

nlohmann::json EncodeValue(const OwnedValue& v) {
  switch (v.kind) {
    case ValueKind::kNull: return nullptr;
    case ValueKind::kInt: return {{"i", std::to_string(v.i)}};
    case ValueKind::kFloat: {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.f);
      return {{"f", std::string(buf, res.ptr)}};
    }
    case ValueKind::kText: return {{"t", HexEncode(v.s)}};
    case ValueKind::kBytes: return {{"b", HexEncode(v.s)}};
  }
  return nullptr;
}

nlohmann::json EncodeTuple(const KeyTuple& key) {
  auto arr = nlohmann::json::array();
  for (const auto& v : key) arr.push_back(EncodeValue(v));
  return arr;
}

Result<KeyTuple> DecodeTuple(const nlohmann::json& arr) {
  if (!arr.is_array()) return Fail(ErrorCode::kInternal, "key tuple is not a JSON array");
  KeyTuple key;
  for (const auto& item : arr) {
    OwnedValue v;
    if (item.is_null()) {
      key.push_back(v);
      continue;
    }
    if (!item.is_object() || item.size() != 1 || !item.begin().value().is_string())
      return Fail(ErrorCode::kInternal, "malformed key value " + item.dump());
    const std::string& tag = item.begin().key();
    const std::string text = item.begin().value().get<std::string>();
    if (tag == "i") {
      auto n = ParseInt64(text);
      if (!n) return Fail(ErrorCode::kInternal, "malformed integer key " + text);
      v.kind = ValueKind::kInt;
      v.i = *n;
    } else if (tag == "f") {
      v.kind = ValueKind::kFloat;
      auto res = std::from_chars(text.data(), text.data() + text.size(), v.f);
      if (res.ec != std::errc()) return Fail(ErrorCode::kInternal, "malformed float key " + text);
    } else if (tag == "t" || tag == "b") {
      auto bytes = HexDecode(text);
      if (!bytes) return Fail(ErrorCode::kInternal, "malformed hex key " + text);
      v.kind = tag == "t" ? ValueKind::kText : ValueKind::kBytes;
      v.s = *bytes;
    } else {
      return Fail(ErrorCode::kInternal, "unknown key tag " + tag);
    }
    key.push_back(std::move(v));
  }
  return key;
}

}  // namespace

std::string EncodeKeyTuple(const KeyTuple& key) { return EncodeTuple(key).dump(); }

Result<KeyTuple> DecodeKeyTuple(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Fail(ErrorCode::kInternal, "malformed key tuple " + text);
  return DecodeTuple(j);
}

std::string EncodeKeyRange(const KeyRange& range) {
  nlohmann::json j = nlohmann::json::object();
  j["lower"] = range.lower ? EncodeTuple(*range.lower) : nlohmann::json(nullptr);
  j["upper"] = range.upper ? EncodeTuple(*range.upper) : nlohmann::json(nullptr);
  return j.dump();
}

Result<KeyRange> DecodeKeyRange(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Fail(ErrorCode::kInternal, "malformed key range " + text);
  KeyRange range;
  if (!j["lower"].is_null()) {
    PL_ASSIGN(range.lower, DecodeTuple(j["lower"]));
  }
  if (!j["upper"].is_null()) {
    PL_ASSIGN(range.upper, DecodeTuple(j["upper"]));
  }
  return range;
}

Result<std::string> KeyInList(const std::string& lhs, const std::vector<KeyTuple>& keys,
                              size_t width,
                              const std::function<std::string(const KeyTuple&)>& literal,
                              const std::string& table) {
  std::vector<std::string> list;
  for (const auto& k : keys) {
    if (k.size() != width) return Fail(ErrorCode::kInternal, "key of wrong width for " + table);
    list.push_back(literal(k));
  }
  return lhs + " IN (" + Join(list, ", ") + ")";
}

}  // namespace peerlock
