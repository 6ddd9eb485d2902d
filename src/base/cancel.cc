#include "base/cancel.h"

#include <csignal>

namespace peerlock {

CancelFlag& ProcessCancelFlag() {
  static CancelFlag flag;
  return flag;
}

namespace {
void OnSignal(int) { ProcessCancelFlag().Cancel(); }
}  // namespace

void InstallCancelSignalHandlers() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

}  // namespace peerlock
