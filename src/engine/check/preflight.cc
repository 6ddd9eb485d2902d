#include "engine/check/preflight.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <filesystem>

#include "base/strings.h"

namespace peerlock {
namespace {

constexpr int64_t kHugeTableBytes = 10LL << 30;  // chunking and verify take hours beyond this
constexpr int64_t kHugeTableRows = 100'000'000;

struct Checker {
  const EngineContext& ctx;
  CheckReport report;

  void Add(bool blocker, std::string area, std::string subject, std::string what, std::string fix) {
    report.findings.push_back(
        {blocker, std::move(area), std::move(subject), std::move(what), std::move(fix), false});
  }
  void Ok(std::string area, std::string subject, std::string what) {
    report.findings.push_back(
        {false, std::move(area), std::move(subject), std::move(what), "", true});
  }

  void Tls(const std::string& role, const Endpoint& endpoint) {
    const std::string& host = endpoint.host();
    if (host.empty() || host == "localhost" || host == "127.0.0.1" || host == "::1") return;
    auto params = endpoint.params();
    bool encrypted = (params.count("sslmode") && params["sslmode"] != "disable" &&
                      params["sslmode"] != "allow" && params["sslmode"] != "prefer") ||
                     params.count("ssl") || params.count("ssl-mode");
    if (encrypted) {
      Ok("tls", role, "the URL requires TLS");
    } else {
      Add(false, "tls", role, "the connection to " + host + " is not required to use TLS",
          endpoint.scheme().starts_with("postgres") ? "add ?sslmode=verify-full to the URL"
                                                    : "add ?ssl=true to the URL");
    }
  }

  // wal_level, slots, senders: what `peerlock sync` needs on a PostgreSQL source.
  void PostgresReplication(const std::map<std::string, std::string>& f) {
    auto number = [&](const char* key) {
      return ParseInt64(f.count(key) ? f.at(key) : "").value_or(0);
    };
    if (f.at("wal_level") != "logical") {
      Add(false, "replication", "source",
          "wal_level is " + f.at("wal_level") +
              ": a warm migration (peerlock sync) cannot capture changes",
          "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
    } else {
      Ok("replication", "source", "wal_level is logical");
    }
    int64_t free_slots = number("max_replication_slots") - number("replication_slots_used");
    if (free_slots < 1) {
      Add(false, "replication", "source",
          fmt::format("no free replication slot ({} of {} used)", number("replication_slots_used"),
                      number("max_replication_slots")),
          "raise max_replication_slots (restart) or drop an unused slot");
    }
    int64_t free_senders = number("max_wal_senders") - number("wal_senders_used");
    if (free_senders < 1) {
      Add(false, "replication", "source",
          fmt::format("no free WAL sender ({} of {} used)", number("wal_senders_used"),
                      number("max_wal_senders")),
          "raise max_wal_senders (restart)");
    }
    if (f.count("can_replicate") && f.at("can_replicate") != "true") {
      Add(false, "privileges", "source", "the role may not replicate",
          "ALTER ROLE <user> REPLICATION; (needed by peerlock sync only)");
    }
    for (const std::string& table : Split(f.count("rls_tables") ? f.at("rls_tables") : "", ',')) {
      if (table.empty()) continue;
      Add(false, "risk", table,
          "row-level security is enabled: rows the policies hide are not copied",
          "connect as the table owner or a role with BYPASSRLS");
    }
  }

  void MysqlReplication(const std::map<std::string, std::string>& f) {
    auto is = [&](const char* key, const std::string& want) {
      return f.count(key) && ToLower(f.at(key)) == ToLower(want);
    };
    if (!(is("log_bin", "1") || is("log_bin", "on"))) {
      Add(false, "replication", "source",
          "the binary log is off: peerlock sync cannot capture changes",
          "start the server with log_bin (e.g. log_bin=mysql-bin) and server_id set");
    }
    if (!is("binlog_format", "ROW")) {
      Add(false, "replication", "source",
          "binlog_format is " + (f.count("binlog_format") ? f.at("binlog_format") : "?"),
          "SET GLOBAL binlog_format = 'ROW' (and in the server's config)");
    }
    if (!is("binlog_row_image", "FULL")) {
      Add(false, "replication", "source",
          "binlog_row_image is " + (f.count("binlog_row_image") ? f.at("binlog_row_image") : "?"),
          "SET GLOBAL binlog_row_image = 'FULL'");
    }
    for (const std::string& table :
         Split(f.count("non_transactional_tables") ? f.at("non_transactional_tables") : "", ',')) {
      if (table.empty()) continue;
      Add(false, "risk", table,
          "non-transactional engine: no consistent snapshot, a copy under writes may tear",
          "ALTER TABLE ... ENGINE=InnoDB, or stop writes during the copy");
    }
  }

  void Types(const Inventory& inventory) {
    const Dialect& target = ctx.target_connector->dialect();
    int exact = 0;
    for (const auto& t : inventory.tables) {
      for (const auto& column : t.table.columns) {
        TypeMapping m = target.FromLogical(column.type);
        std::string subject = t.table.name + "." + column.name;
        std::string what = fmt::format("{} -> {} {} is {}", column.source_type, target.name(),
                                       m.native_type, FidelityName(m.fidelity));
        if (!m.reason.empty()) what += ": " + m.reason;
        if (m.fidelity == Fidelity::kUnsupported) {
          Add(true, "types", subject, what,
              "cast it in the plan (transform: {columns: {" + column.name +
                  ": {cast: text}}}) or drop it");
        } else if (m.fidelity == Fidelity::kLossy) {
          Add(false, "types", subject, what,
              "cast it to a type the target holds exactly, or accept");
        } else {
          ++exact;
        }
      }
    }
    Ok("types", "columns", fmt::format("{} columns carry exactly or widened", exact));
  }

  void Risks(const Inventory& inventory) {
    for (const auto& t : inventory.tables) {
      if (t.table.primary_key.empty()) {
        Add(false, "risk", t.table.name,
            "no primary key: chunks use the row id and verify names rows by it",
            "add a primary key (or a unique not-null key) before the migration");
      }
      if (t.table.bytes > kHugeTableBytes || t.table.rows > kHugeTableRows) {
        Add(false, "risk", t.table.name,
            fmt::format("huge table ({}, {} rows)", HumanBytes(static_cast<double>(t.table.bytes)),
                        t.table.rows),
            "raise copy.workers, and plan the copy in its own wave or window");
      }
    }
  }

  void Disk(const Inventory& inventory) {
    int64_t needed = 0;
    for (const auto& t : inventory.tables) needed += std::max<int64_t>(t.table.bytes, 0);
    needed += needed / 5;  // indexes rebuilt and the load's transaction overhead
    if (!ctx.target.path().empty()) {
      std::filesystem::path dir = std::filesystem::absolute(ctx.target.path()).parent_path();
      struct statvfs fs {};
      if (statvfs(dir.c_str(), &fs) != 0) {
        Add(true, "disk", "target", "the directory " + dir.string() + " does not exist",
            "create it or fix the target URL");
        return;
      }
      int64_t free = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
      std::string what = fmt::format("{} free in {}, about {} needed", HumanBytes(free),
                                     dir.string(), HumanBytes(static_cast<double>(needed)));
      if (free < needed) {
        Add(true, "disk", "target", what, "free space or put the target on a larger disk");
      } else {
        Ok("disk", "target", what);
      }
      return;
    }
    Add(false, "disk", "target",
        fmt::format("about {} needed; PeerLock cannot see a server's free disk",
                    HumanBytes(static_cast<double>(needed))),
        "check free space on the target server's data directory (df)");
  }

  void Run() {
    Tls("source", ctx.source);
    Tls("target", ctx.target);
    auto source = ctx.OpenSource();
    if (!source) {
      Add(true, "connectivity", "source", source.error().message(), source.error().hint());
      return;
    }
    auto facts = (*source)->ServerFacts();
    if (!facts) {
      Add(false, "privileges", "source",
          "cannot read the server's settings: " + facts.error().message(),
          "grant the role read access to pg_settings / performance_schema, or ignore");
    }
    std::map<std::string, std::string> f = facts ? *facts : std::map<std::string, std::string>();
    Ok("connectivity", "source",
       "connected" + (f.count("version") ? ", version " + f.at("version") : std::string()));
    if (f.count("wal_level")) PostgresReplication(f);
    if (f.count("binlog_format")) MysqlReplication(f);
    auto inventory = LoadInventory(ctx, /*count_rows=*/false);
    if (!inventory) {
      Add(true, "connectivity", "source", inventory.error().message(), inventory.error().hint());
      return;
    }
    auto target = ctx.OpenTarget(/*create=*/false);
    if (!target && ctx.target.path().empty()) {
      Add(true, "connectivity", "target", target.error().message(), target.error().hint());
    } else if (target) {
      auto tf = (*target)->ServerFacts();
      std::string version = tf && tf->count("version") ? ", version " + tf->at("version") : "";
      Ok("connectivity", "target", "connected" + version);
      if (tf && tf->count("can_create") && tf->at("can_create") != "true") {
        Add(true, "privileges", "target", "the role may not create tables in the database",
            "GRANT CREATE ON DATABASE <db> TO <user>");
      }
    } else {
      Ok("connectivity", "target", "the target file does not exist yet: copy creates it");
    }
    Disk(*inventory);
    Types(*inventory);
    Risks(*inventory);
  }
};

}  // namespace

int CheckReport::blockers() const {
  int n = 0;
  for (const auto& f : findings) n += f.blocker ? 1 : 0;
  return n;
}

int CheckReport::warnings() const {
  int n = 0;
  for (const auto& f : findings) n += !f.blocker && !f.passed ? 1 : 0;
  return n;
}

CheckReport RunPreflight(const EngineContext& ctx) {
  Checker checker{ctx, {}};
  checker.Run();
  return std::move(checker.report);
}

nlohmann::json CheckReportToJson(const CheckReport& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"severity", f.blocker  ? "blocker"
                                     : f.passed ? "ok"
                                                : "warning"},
                        {"area", f.area},
                        {"subject", f.subject},
                        {"what", f.what},
                        {"fix", f.fix}});
  }
  return {{"blockers", report.blockers()}, {"warnings", report.warnings()}, {"findings", findings}};
}

std::string CheckReportToText(const CheckReport& report) {
  std::string out;
  for (const auto& f : report.findings) {
    const char* label = f.blocker ? "BLOCKER" : f.passed ? "ok" : "warning";
    out += fmt::format("{:<8} {:<13} {}: {}\n", label, f.area, f.subject, f.what);
    if (!f.fix.empty()) out += "         fix: " + f.fix + "\n";
  }
  out += fmt::format("\n{} blocker(s), {} warning(s)\n", report.blockers(), report.warnings());
  return out;
}

}  // namespace peerlock
