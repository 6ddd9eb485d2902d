#pragma once
// Where a database is: parsed from a URL, with the secret kept out of every printed form.
//   sqlite:///abs/path.db    sqlite://rel/path.db    sqlite:rel/path.db
// Later dialects add postgresql://user@host:port/db?sslmode=... and mysql://...
// Thread-safe as a value.

#include <map>
#include <string>

#include "base/error.h"

namespace peerlock {

class Endpoint {
 public:
  static Result<Endpoint> Parse(const std::string& url);

  const std::string& scheme() const { return scheme_; }
  // SQLite: the file path as given (relative paths are relative to the working directory).
  const std::string& path() const { return path_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& database() const { return database_; }
  const std::map<std::string, std::string>& params() const { return params_; }
  // One URL parameter's value; empty when the URL does not give it.
  std::string param(const std::string& key) const {
    auto it = params_.find(key);
    return it == params_.end() ? std::string() : it->second;
  }
  const std::string& password() const { return password_; }
  void set_password(std::string password) { password_ = std::move(password); }

  // The URL with any password replaced by "***": the only form that may be printed or stored.
  std::string Redacted() const;

 private:
  std::string scheme_, path_, host_, user_, database_, password_;
  int port_ = 0;
  std::map<std::string, std::string> params_;
};

}  // namespace peerlock
