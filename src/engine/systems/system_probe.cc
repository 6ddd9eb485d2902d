#include "engine/systems/system_probe.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/sha256.h"
#include "base/strings.h"

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Connects to host:port before `deadline`; "" on success, else what went wrong.
std::string Connect(const ProbeUrl& url, Clock::time_point deadline, Fd& out) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  if (int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return std::string("cannot resolve host: ") + gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    Fd fd{socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol)};
    if (fd.fd < 0) continue;
    if (connect(fd.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    pollfd p{fd.fd, POLLOUT, 0};
    int ready = poll(&p, 1, MillisLeft(deadline));
    if (ready == 0) return "connection timed out";
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd.fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (ready < 0 || error != 0) {
      last = std::strerror(ready < 0 ? errno : error);
      continue;
    }
    std::swap(out.fd, fd.fd);
    return "";
  }
  return last;
}

// Sends the request and reads up to the status line, over TLS when `ssl` is set.
std::string HttpStatusLine(int fd, SSL* ssl, const ProbeUrl& url, Clock::time_point deadline,
                           std::string& error) {
  std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: peerlock\r\nConnection: close\r\n\r\n", url.path,
      url.host);
  std::string response;
  size_t sent = 0;
  while (response.find("\r\n") == std::string::npos) {
    bool writing = sent < request.size();
    int n = 0;
    if (writing) {
      n = ssl ? SSL_write(ssl, request.data() + sent, static_cast<int>(request.size() - sent))
              : static_cast<int>(
                    send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL));
    } else {
      char buf[1024];
      n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(recv(fd, buf, sizeof buf, 0));
      if (n > 0) response.append(buf, static_cast<size_t>(n));
    }
    if (n > 0) {
      if (writing) sent += static_cast<size_t>(n);
      continue;
    }
    bool again = ssl ? (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ ||
                        SSL_get_error(ssl, n) == SSL_ERROR_WANT_WRITE)
                     : (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    if (!again) {
      error = n == 0 ? "the server closed the connection without a status line"
                     : "connection error while reading the response";
      return "";
    }
    pollfd p{fd, static_cast<short>(writing ? POLLOUT : POLLIN), 0};
    if (ssl) p.events = POLLIN | POLLOUT;
    if (poll(&p, 1, MillisLeft(deadline)) <= 0) {
      error = "no response before the timeout";
      return "";
    }
  }
  return response.substr(0, response.find("\r\n"));
}

void ProbeHttp(const ProbeUrl& url, int fd, Clock::time_point deadline, SystemHealth& health) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(nullptr, SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(nullptr, SSL_free);
  if (url.scheme == "https") {
    ctx.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_default_verify_paths(ctx.get());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    ssl.reset(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), fd);
    SSL_set_tlsext_host_name(ssl.get(), url.host.c_str());
    SSL_set1_host(ssl.get(), url.host.c_str());
    while (true) {
      int rc = SSL_connect(ssl.get());
      if (rc == 1) break;
      int why = SSL_get_error(ssl.get(), rc);
      pollfd p{fd, static_cast<short>(why == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      if ((why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE) ||
          poll(&p, 1, MillisLeft(deadline)) <= 0) {
        long verify = SSL_get_verify_result(ssl.get());
        health.state = "down";
        health.detail = verify != X509_V_OK ? std::string("TLS certificate not trusted: ") +
                                                  X509_verify_cert_error_string(verify)
                                            : "TLS handshake failed";
        return;
      }
    }
  }
  std::string error;
  std::string line = HttpStatusLine(fd, ssl.get(), url, deadline, error);
  if (line.empty()) {
    health.state = "down";
    health.detail = error;
    return;
  }
  // "HTTP/1.1 200 OK"
  std::vector<std::string> parts = Split(line, ' ');
  std::optional<int64_t> status = parts.size() >= 2 ? ParseInt64(parts[1]) : std::nullopt;
  health.http_status = status ? static_cast<int>(*status) : 0;
  health.ok = health.http_status >= 200 && health.http_status < 400;
  health.state = health.ok ? "up" : "down";
  health.detail = status ? "HTTP " + std::to_string(*status) : "not an HTTP response: " + line;
}

}  // namespace

SystemHealth ProbeCheckUrl(const std::string& text, double timeout_seconds) {
  SystemHealth health{.target = text, .state = "down"};
  std::optional<ProbeUrl> url = ParseProbeUrl(text);
  if (!url) {
    health.detail = "not a probe URL (http://, https:// or tcp://host:port)";
    return health;
  }
  auto start = Clock::now();
  auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  Fd fd;
  std::string error = Connect(*url, deadline, fd);
  if (!error.empty()) {
    health.detail = error;
  } else if (url->scheme == "tcp") {
    health.ok = true;
    health.state = "up";
    health.detail = "port accepts connections";
  } else {
    ProbeHttp(*url, fd.fd, deadline, health);
  }
  health.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return health;
}

SystemHealth MeasureStorage(const std::string& path) {
  namespace fs = std::filesystem;
  SystemHealth health{.target = path, .state = "missing"};
  auto start = Clock::now();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    health.detail = "no such file or directory";
    return health;
  }
  std::vector<std::pair<std::string, fs::path>> files;  // relative name, full path
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec))
        files.emplace_back(fs::relative(it->path(), path).string(), it->path());
    }
  } else {
    files.emplace_back(fs::path(path).filename().string(), path);
  }
  if (ec) {
    health.state = "down";
    health.detail = "cannot read: " + ec.message();
    return health;
  }
  std::sort(files.begin(), files.end());
  std::string manifest;
  health.bytes = 0;
  std::vector<char> buf(1 << 16);
  for (const auto& [name, full] : files) {
    std::ifstream in(full, std::ios::binary);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(in.gcount()));
      health.bytes += in.gcount();
    }
    if (in.bad()) {
      health.state = "down";
      health.detail = "cannot read " + name;
      return health;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(md.get(), digest, &length);
    manifest +=
        HexEncode(std::string_view(reinterpret_cast<char*>(digest), length)) + "  " + name + "\n";
  }
  health.files = static_cast<int64_t>(files.size());
  health.manifest_digest = Sha256Hex(manifest);
  health.ok = true;
  health.state = "up";
  health.detail =
      fmt::format("{} in {} files", HumanBytes(static_cast<double>(health.bytes)), health.files);
  health.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return health;
}

SystemHealth ProbeSystem(const SystemSpec& system, double timeout_seconds) {
  SystemHealth health = system.kind == SystemKind::kStorage
                            ? MeasureStorage(system.path)
                            : ProbeCheckUrl(system.check, timeout_seconds);
  health.name = system.name;
  health.kind = SystemKindName(system.kind);
  return health;
}

nlohmann::json SystemHealthToJson(const SystemHealth& h) {
  nlohmann::json out = {{"name", h.name},      {"kind", h.kind},   {"target", h.target},
                        {"ok", h.ok},          {"state", h.state}, {"detail", h.detail},
                        {"seconds", h.seconds}};
  if (h.http_status) out["http_status"] = h.http_status;
  if (h.files >= 0) {
    out["bytes"] = h.bytes;
    out["files"] = h.files;
    out["manifest_sha256"] = h.manifest_digest;
  }
  return out;
}

}  // namespace peerlock
