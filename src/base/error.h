#pragma once
// Errors are values: every fallible function returns Result<T> (std::expected<T, Error>) or
// Status. An Error carries a code, whether retrying can help, a message with context added on
// the way up, the native code of the system that raised it, and a hint for the user.
// Thread-safe as values (no shared state).

#include <expected>
#include <string>
#include <utility>

namespace peerlock {

// What kind of failure, which also decides the process exit code (see ExitCodeFor).
enum class ErrorCode {
  kInvalidArgument,  // bad usage, bad URL, bad option value               -> exit 2
  kPlan,             // malformed or invalid plan file                       -> exit 2
  kNotFound,         // a table, run or file that must exist does not        -> exit 2
  kBlocked,          // a check found a problem the user must resolve first  -> exit 1
  kUnsupported,      // a type or feature PeerLock cannot carry              -> exit 1
  kDataLoss,         // a value the target cannot hold exactly               -> exit 1
  kConnection,       // cannot connect or lost the connection                -> exit 3
  kIo,               // file system, disk full, permissions                  -> exit 3
  kDatabase,         // the database refused a statement                     -> exit 3
  kCancelled,        // interrupted by a signal or the user                  -> exit 3
  kInternal,         // a bug in PeerLock                                    -> exit 3
};

const char* ErrorCodeName(ErrorCode code);

// Process exit codes of the CLI contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblemFound = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRuntime = 3;
int ExitCodeFor(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  const std::string& native_code() const { return native_code_; }
  bool retryable() const { return retryable_; }

  // Builders; each returns *this so errors read as one expression.
  Error& WithHint(std::string hint) {
    hint_ = std::move(hint);
    return *this;
  }
  Error& WithNative(std::string native) {
    native_code_ = std::move(native);
    return *this;
  }
  Error& Retryable(bool value = true) {
    retryable_ = value;
    return *this;
  }
  // Prepends "context: " to the message (context grows outward, like a stack).
  Error& Context(const std::string& context);

  // "message (native) \n hint: ..." as shown to users.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string hint_;
  std::string native_code_;
  bool retryable_ = false;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

// Adds context to the error of a failed result, passing success through.
template <typename T>
Result<T> WithContext(Result<T> result, const std::string& context) {
  if (!result) result.error().Context(context);
  return result;
}

}  // namespace peerlock

// Early return of a failed Status/Result from the enclosing function.
#define PL_TRY(expr)                                                            \
  do {                                                                          \
    if (auto pl_status_ = (expr); !pl_status_)                                  \
      return std::unexpected<::peerlock::Error>(std::move(pl_status_.error())); \
  } while (0)

#define PL_CONCAT_INNER(a, b) a##b
#define PL_CONCAT(a, b) PL_CONCAT_INNER(a, b)
// Declares `decl` from a Result's value, or returns its error.
#define PL_ASSIGN(decl, expr) PL_ASSIGN_IMPL(PL_CONCAT(pl_result_, __LINE__), decl, expr)
#define PL_ASSIGN_IMPL(tmp, decl, expr)                                        \
  auto tmp = (expr);                                                           \
  if (!tmp) return std::unexpected<::peerlock::Error>(std::move(tmp.error())); \
  decl = std::move(*tmp)
