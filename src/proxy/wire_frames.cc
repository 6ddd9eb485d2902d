#include "proxy/wire_frames.h"

#include <algorithm>

namespace peerlock {
namespace {

constexpr uint32_t kSslRequest = 80877103;
constexpr uint32_t kGssEncRequest = 80877104;
constexpr uint32_t kCancelRequest = 80877102;
constexpr uint32_t kProtocolMajor3 = 3;
constexpr uint32_t kMaxStartupPacket = 10000;  // PostgreSQL's own limit
constexpr uint32_t kClientCompress = 0x20;
constexpr uint32_t kClientSsl = 0x800;
constexpr uint32_t kClientZstdCompression = 1u << 26;  // MySQL 8

uint32_t BigEndian32(std::string_view p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t LittleEndian(std::string_view p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Takes up to `want` bytes into `header` (fewer when `bytes` runs out); false while short.
bool FillHeader(std::string& header, size_t want, std::string_view& bytes) {
  if (header.size() >= want) return true;
  size_t take = std::min(want - header.size(), bytes.size());
  header.append(bytes.substr(0, take));
  bytes.remove_prefix(take);
  return header.size() == want;
}

// Skips what is left of the current frame's body; false while more of it is to come.
bool SkipBody(int64_t& body_left, std::string_view& bytes) {
  size_t skip = static_cast<size_t>(std::min<int64_t>(body_left, bytes.size()));
  body_left -= static_cast<int64_t>(skip);
  bytes.remove_prefix(skip);
  return body_left == 0;
}

}  // namespace

void WireFrames::Upstream(std::string_view bytes) {
  if (opaque_) return;
  if (protocol_ == WireProtocol::kPostgres) PostgresUpstream(bytes);
  if (protocol_ == WireProtocol::kMysql) MysqlStream(bytes, /*upstream=*/true);
}

void WireFrames::Downstream(std::string_view bytes) {
  if (opaque_) return;
  if (protocol_ == WireProtocol::kPostgres) PostgresDownstream(bytes);
  if (protocol_ == WireProtocol::kMysql) MysqlStream(bytes, /*upstream=*/false);
}

// Startup packets: a 4-byte length (itself included) and a 4-byte code, then the body.
void WireFrames::PostgresUpstream(std::string_view bytes) {
  while (!bytes.empty() && !startup_done_ && !opaque_) {
    if (up_.body_left > 0) {
      SkipBody(up_.body_left, bytes);
      continue;
    }
    if (!FillHeader(up_.header, 8, bytes)) return;
    const uint32_t length = BigEndian32(up_.header);
    const uint32_t code = BigEndian32(std::string_view(up_.header).substr(4));
    up_.header.clear();
    const bool startup = (code >> 16) == kProtocolMajor3;
    if (length < 8 || length > kMaxStartupPacket ||
        !(startup || code == kSslRequest || code == kGssEncRequest || code == kCancelRequest)) {
      // Not a startup packet: TLS from the first byte (sslnegotiation=direct) or not PostgreSQL
      // as we know it.
      opaque_ = true;
      return;
    }
    up_.body_left = length - 8;
    if (code == kSslRequest || code == kGssEncRequest)
      ++one_byte_answers_;
    else if (code == kCancelRequest)
      opaque_ = true;  // a cancel request is no session: nothing to tell
    else
      startup_done_ = true;  // the StartupMessage: the client's messages are not needed
  }
}

// The server's one-byte answers to SSL/GSSENC requests, then messages: a type byte and a 4-byte
// length (itself included), then the body.
void WireFrames::PostgresDownstream(std::string_view bytes) {
  while (!bytes.empty() && !opaque_) {
    if (down_.AtBoundary() && one_byte_answers_ > 0) {
      const char answer = bytes[0];
      if (answer == 'S' || answer == 'G') {
        opaque_ = true;  // TLS or GSSAPI encryption from here on
        return;
      }
      if (answer == 'N') {
        --one_byte_answers_;
        bytes.remove_prefix(1);
        continue;
      }
      one_byte_answers_ = 0;  // an ErrorResponse instead (an old server): a message
    }
    if (down_.body_left > 0) {
      SkipBody(down_.body_left, bytes);
      continue;
    }
    if (!FillHeader(down_.header, 5, bytes)) return;
    const uint32_t length = BigEndian32(std::string_view(down_.header).substr(1));
    down_.header.clear();
    if (length < 4) {
      opaque_ = true;
      return;
    }
    down_.body_left = length - 4;
  }
}

// Packets: a 3-byte little-endian payload length and a sequence id, then the payload. The
// client's first packet (its handshake response) is read 4 payload bytes further: its
// capability flags.
void WireFrames::MysqlStream(std::string_view bytes, bool upstream) {
  Frame& f = upstream ? up_ : down_;
  auto complete = [&] {
    last_sequence_ = f.sequence;
    server_spoke_last_ = !upstream;
  };
  while (!bytes.empty() && !opaque_) {
    if (f.body_left > 0) {
      if (SkipBody(f.body_left, bytes)) complete();
      continue;
    }
    if (!FillHeader(f.header, 4, bytes)) return;
    const uint32_t length = LittleEndian(f.header, 3);
    const bool handshake = upstream && !handshake_seen_;
    if (handshake) {
      if (length < 4) {
        opaque_ = true;
        return;
      }
      if (!FillHeader(f.header, 8, bytes)) return;
      const uint32_t capabilities = LittleEndian(std::string_view(f.header).substr(4), 4);
      handshake_seen_ = true;
      if (capabilities & (kClientSsl | kClientCompress | kClientZstdCompression)) {
        opaque_ = true;  // TLS or compressed packets from here on
        return;
      }
    }
    f.sequence = static_cast<unsigned char>(f.header[3]);
    f.body_left = static_cast<int64_t>(length) - static_cast<int64_t>(f.header.size() - 4);
    f.header.clear();
    if (f.body_left == 0) complete();
  }
}

std::string WireFrames::Termination(std::string_view message) const {
  if (opaque_ || !down_.AtBoundary()) return "";
  switch (protocol_) {
    case WireProtocol::kPostgres:
      if (one_byte_answers_ > 0) return "";
      return PostgresFatal("57P01", message);  // admin_shutdown, as pg_terminate_backend
    case WireProtocol::kMysql: {
      if (!up_.AtBoundary()) return "";
      int next = last_sequence_ + 1;  // the client spoke last: the answer it waits for
      if (last_sequence_ < 0)
        next = 0;  // nothing yet: this stands in for the greeting
      else if (server_spoke_last_)
        next = handshake_seen_ ? 1 : last_sequence_ + 2;
      return MysqlServerShutdown(static_cast<uint8_t>(next & 0xff), message);
    }
    case WireProtocol::kRaw: break;
  }
  return "";
}

}  // namespace peerlock
