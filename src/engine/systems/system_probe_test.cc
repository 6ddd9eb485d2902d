#include "engine/systems/system_probe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/systems/systems_inventory.h"
#include "support/listening_port.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;

using testing::ListeningPort;

// `python3 -m http.server` serving `dir`, started here and killed on destruction (also when an
// assertion fails), so no test leaves a server behind.
class HttpServer {
 public:
  explicit HttpServer(const fs::path& dir) {
    {
      ListeningPort probe;  // a port that was free a moment ago
      port_ = probe.port();
    }
    pid_ = fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      int null = open("/dev/null", O_WRONLY);  // its access log would clutter the test output
      dup2(null, 1);
      dup2(null, 2);
      execlp("python3", "python3", "-m", "http.server", port.c_str(), "--bind", "127.0.0.1",
             "--directory", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~HttpServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Polls until the server answers, with a deadline (never a fixed sleep).
  bool WaitReady() const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ProbeCheckUrl(Url("/"), 1).ok) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;   // it died (port taken?)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a wait
    }
    return false;
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

fs::path TempDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("peerlock-probe-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(SystemProbe, HttpStatusDecidesHealth) {
  fs::path dir = TempDir("http");
  std::ofstream(dir / "health") << "ok";
  HttpServer server(dir);
  ASSERT_TRUE(server.WaitReady()) << "python3 -m http.server did not start";
  SystemHealth up = ProbeCheckUrl(server.Url("/health"), 5);
  EXPECT_TRUE(up.ok) << up.detail;
  EXPECT_EQ(up.http_status, 200);
  EXPECT_EQ(up.state, "up");
  SystemHealth missing = ProbeCheckUrl(server.Url("/nothing-here"), 5);
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.http_status, 404);
  EXPECT_EQ(missing.detail, "HTTP 404");
  fs::remove_all(dir);
}

TEST(SystemProbe, TcpProbeNeedsAListener) {
  ListeningPort listener;
  std::string url = "tcp://127.0.0.1:" + std::to_string(listener.port());
  SystemHealth up = ProbeCheckUrl(url, 5);
  EXPECT_TRUE(up.ok) << up.detail;
  listener.Close();
  SystemHealth down = ProbeCheckUrl(url, 5);
  EXPECT_FALSE(down.ok);
  EXPECT_EQ(down.state, "down");
  EXPECT_NE(down.detail.find("refused"), std::string::npos) << down.detail;
}

TEST(SystemProbe, HttpOnAPortThatNeverAnswersTimesOut) {
  // The listener accepts the connection in the kernel but never writes a status line.
  ListeningPort listener;
  SystemHealth silent =
      ProbeCheckUrl("http://127.0.0.1:" + std::to_string(listener.port()) + "/", 0.3);
  EXPECT_FALSE(silent.ok);
  EXPECT_EQ(silent.detail, "no response before the timeout");
}

TEST(SystemProbe, StorageManifestDigestFollowsContent) {
  fs::path dir = TempDir("storage");
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "a.txt") << "hello";
  std::ofstream(dir / "sub" / "b.bin") << "world!";
  SystemHealth first = MeasureStorage(dir.string());
  ASSERT_TRUE(first.ok) << first.detail;
  EXPECT_EQ(first.files, 2);
  EXPECT_EQ(first.bytes, 11);
  EXPECT_EQ(first.manifest_digest.size(), 64u);
  EXPECT_EQ(MeasureStorage(dir.string()).manifest_digest, first.manifest_digest);
  std::ofstream(dir / "a.txt") << "hellO";
  EXPECT_NE(MeasureStorage(dir.string()).manifest_digest, first.manifest_digest);
  fs::remove_all(dir);
  SystemHealth gone = MeasureStorage(dir.string());
  EXPECT_FALSE(gone.ok);
  EXPECT_EQ(gone.state, "missing");
}

TEST(SystemProbe, RejectsWhatIsNotAProbeUrl) {
  SystemHealth bad = ProbeCheckUrl("ftp://host/", 1);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.detail.find("not a probe URL"), std::string::npos);
  EXPECT_EQ(ProbeCheckUrl("tcp://no-such-host.invalid:80", 2).state, "down");
}

TEST(SystemsInventory, ProbesEverySystemAndDrawsTheGraphWithGraphviz) {
  fs::path dir = TempDir("inventory");
  std::ofstream(dir / "f") << "x";
  ListeningPort listener;
  auto plan = ParsePlan(
      "source: {url: sqlite:///a.db}\ntarget: {url: sqlite:///b.db}\n"
      "systems:\n  - {name: api, kind: service, check: \"tcp://127.0.0.1:" +
          std::to_string(listener.port()) +
          "\", depends_on: [source]}\n"
          "  - {name: files, kind: storage, path: " +
          dir.string() + "}\n",
      "/p/peerlock.yaml");
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  auto source = Endpoint::Parse("sqlite:///a.db");
  ASSERT_TRUE(source.has_value());
  SystemsInventory inv = InventorySystems(*plan, {}, *source, true, *source, 5);
  ASSERT_EQ(inv.health.size(), 4u);
  EXPECT_EQ(inv.health[0].state, "up");
  EXPECT_EQ(inv.health[1].state, "not probed");
  EXPECT_TRUE(inv.health[2].ok) << inv.health[2].detail;
  EXPECT_TRUE(inv.health[3].ok) << inv.health[3].detail;
  // scripts/install-deps installs Graphviz, so its layout is the one expected here.
  EXPECT_EQ(inv.svg_renderer, "graphviz");
  EXPECT_EQ(inv.svg.rfind("<svg", 0), 0u);
  EXPECT_NE(inv.svg.find("api (up)"), std::string::npos);
  nlohmann::json json = SystemsInventoryToJson(inv);
  EXPECT_EQ(json["system_order"][0], "source");
  EXPECT_EQ(json["systems"][3]["files"], 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace peerlock
