#include "proxy/wire_refusal.h"

#include <cstdint>

namespace peerlock {
namespace {

void PutBigEndian32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

std::string PostgresFatal(std::string_view sqlstate, std::string_view message) {
  std::string fields;
  auto field = [&](char code, std::string_view value) {
    fields.push_back(code);
    fields.append(value);
    fields.push_back('\0');
  };
  field('S', "FATAL");
  field('V', "FATAL");
  field('C', sqlstate);
  field('M', message);
  fields.push_back('\0');
  std::string out(1, 'E');
  PutBigEndian32(out, static_cast<uint32_t>(fields.size() + 4));
  return out + fields;
}

std::string MysqlServerShutdown(uint8_t sequence, std::string_view message) {
  constexpr uint16_t kServerShutdown = 1053;
  std::string payload(1, '\xff');
  payload.push_back(static_cast<char>(kServerShutdown & 0xff));
  payload.push_back(static_cast<char>(kServerShutdown >> 8));
  payload.append(message.substr(0, 0xffff));
  std::string out;
  const uint32_t length = static_cast<uint32_t>(payload.size());
  for (int shift = 0; shift < 24; shift += 8)
    out.push_back(static_cast<char>((length >> shift) & 0xff));
  out.push_back(static_cast<char>(sequence));
  return out + payload;
}

WireProtocol WireProtocolForScheme(std::string_view scheme) {
  if (scheme == "postgresql" || scheme == "postgres") return WireProtocol::kPostgres;
  if (scheme == "mysql" || scheme == "mariadb") return WireProtocol::kMysql;
  return WireProtocol::kRaw;
}

std::string WireRefusal(WireProtocol protocol, std::string_view message) {
  switch (protocol) {
    case WireProtocol::kPostgres: return PostgresFatal("57P03", message);  // cannot_connect_now
    case WireProtocol::kMysql: return MysqlServerShutdown(0, message);     // the first packet
    case WireProtocol::kRaw: break;
  }
  return "";
}

}  // namespace peerlock
