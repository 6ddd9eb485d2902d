#include "base/error.h"

namespace peerlock {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kPlan: return "plan error";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kBlocked: return "blocked";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kDataLoss: return "would lose data";
    case ErrorCode::kConnection: return "connection failed";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kDatabase: return "database error";
    case ErrorCode::kCancelled: return "interrupted";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kPlan:
    case ErrorCode::kNotFound: return kExitBadInput;
    case ErrorCode::kBlocked:
    case ErrorCode::kUnsupported:
    case ErrorCode::kDataLoss: return kExitProblemFound;
    default: return kExitRuntime;
  }
}

Error& Error::Context(const std::string& context) {
  if (!context.empty()) message_ = context + ": " + message_;
  return *this;
}

std::string Error::ToString() const {
  std::string out = message_;
  if (!native_code_.empty()) out += " (" + native_code_ + ")";
  if (!hint_.empty()) out += "\n  hint: " + hint_;
  return out;
}

}  // namespace peerlock
