#include "base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/strings.h"

extern char** environ;

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (extra_env.count(kv.substr(0, kv.find('=')))) continue;
    env.push_back(std::move(kv));
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Keeps at most `max` bytes, the tail; trims at twice the limit so appending stays linear.
void AppendTail(std::string& to, const char* data, size_t n, size_t max) {
  to.append(data, n);
  if (max > 0 && to.size() > 2 * max) to.erase(0, to.size() - max);
}

void TrimTail(std::string& s, size_t max) {
  if (max > 0 && s.size() > max) s.erase(0, s.size() - max);
}

// posix_spawn's setup, released on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

// An unattended child: its own group (so a timeout can kill grandchildren too and the
// terminal's Ctrl-C stays ours), nothing to read from our terminal, signals as a fresh process
// has them, whatever this process blocks or ignores.
void MakeUnattended(SpawnSetup& setup, bool own_stdin) {
  if (!own_stdin) posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

// Reads both pipes until they close; with a timeout, kills the group in two stages and stops
// reading one grace after SIGKILL (a process outside the group may still hold the pipes).
void Pump(pid_t pid, int out_fd, int err_fd, const ProcessOptions& options, ProcessResult& result) {
  enum class Stage { kRunning, kTerminating, kKilled };
  Stage stage = Stage::kRunning;
  const bool timed = options.timeout.count() > 0;
  Clock::time_point next_step = Clock::now() + options.timeout;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = err_fd >= 0 ? 2 : 1;  // poll skips the negative fd of a merged stderr
  char buf[65536];
  while (open_fds > 0) {
    int wait_ms = -1;
    if (timed) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(next_step - Clock::now()).count();
      const bool cancelled =
          stage == Stage::kRunning && options.cancel && options.cancel->Cancelled();
      if (left <= 0 || cancelled) {
        if (stage == Stage::kKilled) break;
        (cancelled ? result.cancelled : result.timed_out) = true;
        kill(-pid, stage == Stage::kRunning ? SIGTERM : SIGKILL);
        stage = stage == Stage::kRunning ? Stage::kTerminating : Stage::kKilled;
        next_step = Clock::now() + options.kill_grace;
        continue;
      }
      wait_ms = static_cast<int>(std::min<long long>(left, options.cancel ? 100 : 1 << 30));
    }
    if (poll(fds, 2, wait_ms) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        AppendTail(i == 0 ? result.out : result.err, buf, static_cast<size_t>(n),
                   options.max_output);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  TrimTail(result.out, options.max_output);
  TrimTail(result.err, options.max_output);
}

}  // namespace

Result<ProcessResult> RunProcessWithin(const std::vector<std::string>& argv,
                                       const ProcessOptions& options) {
  if (argv.empty()) return Fail(ErrorCode::kInternal, "RunProcess without a program");
  struct stat dir_stat;
  if (!options.working_dir.empty() &&
      (stat(options.working_dir.c_str(), &dir_stat) != 0 || !S_ISDIR(dir_stat.st_mode))) {
    return Fail(Error(ErrorCode::kNotFound, "cannot run " + argv[0] + ": directory " +
                                                options.working_dir + " does not exist")
                    .WithHint("create it, or run from where it exists"));
  }
  if (!options.stdin_path.empty() && access(options.stdin_path.c_str(), R_OK) != 0) {
    return Fail(Error(ErrorCode::kNotFound, "cannot run " + argv[0] + ": its input " +
                                                options.stdin_path + " cannot be read (" +
                                                strerror(errno) + ")"));
  }
  std::vector<std::string> env_storage = ChildEnvironment(options.extra_env);
  std::vector<std::string> argv_copy = argv;
  std::vector<char*> envp = Pointers(env_storage), args = Pointers(argv_copy);

  int out_pipe[2], err_pipe[2] = {-1, -1};
  if (pipe(out_pipe) != 0) return Fail(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  if (!options.merge_output && pipe(err_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Fail(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  }
  pid_t pid = 0;
  int rc = 0;
  {
    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&setup.actions,
                                     options.merge_output ? out_pipe[1] : err_pipe[1], 2);
    posix_spawn_file_actions_addclose(&setup.actions, out_pipe[0]);
    if (!options.merge_output) posix_spawn_file_actions_addclose(&setup.actions, err_pipe[0]);
    // Nothing of ours beyond the three streams: database connections (libpq and Connector/C
    // sockets are not close-on-exec) and files stay ours, not a hook's or mariadb-dump's.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    if (!options.working_dir.empty()) {
      posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_dir.c_str());
    }
    if (!options.stdin_path.empty()) {
      posix_spawn_file_actions_addopen(&setup.actions, 0, options.stdin_path.c_str(), O_RDONLY, 0);
    }
    if (options.timeout.count() > 0) MakeUnattended(setup, !options.stdin_path.empty());
    rc = posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp.data());
  }
  close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    if (err_pipe[0] >= 0) close(err_pipe[0]);
    return Fail(Error(ErrorCode::kNotFound, "cannot run " + argv[0] + ": " + strerror(rc))
                    .WithHint("install it (scripts/install-deps) or put it on PATH"));
  }
  if (options.started_pid) options.started_pid->store(pid);
  ProcessResult result;
  Pump(pid, out_pipe[0], err_pipe[0], options, result);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string FirstLines(const std::string& text, int n) {
  std::vector<std::string> lines;
  for (const auto& l : Split(text, '\n')) {
    if (Trim(l).empty()) continue;
    lines.push_back(l);
    if (static_cast<int>(lines.size()) == n) break;
  }
  return Join(lines, " | ");
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env) {
  return RunProcessWithin(argv, {.extra_env = extra_env});
}

}  // namespace peerlock
