#include "engine/systems/probe_watch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/listening_port.h"

namespace peerlock {
namespace {

using std::chrono::milliseconds;
using testing::ListeningPort;

// Waits (yielding) until the watch has made `probes` probes.
ProbeRecord AfterProbes(const ProbeWatch& watch, int probes) {
  ProbeRecord r = watch.Snapshot();
  while (r.probes < probes) {
    std::this_thread::yield();
    r = watch.Snapshot();
  }
  return r;
}

TEST(ProbeWatch, AnEndpointUpThroughoutAnswersEveryProbe) {
  ListeningPort up;
  ProbeWatch watch(up.Url(), milliseconds(5), 2.0);
  AfterProbes(watch, 3);
  ProbeRecord r = watch.Stop();
  EXPECT_GE(r.probes, 4);  // three while watching, one at the end
  EXPECT_EQ(r.failures, 0);
  EXPECT_TRUE(r.last.ok) << r.last.detail;
  EXPECT_EQ(ProbeRecordText(r), "answered all " + std::to_string(r.probes) + " probes");
  // Stopped: a second Stop returns the same record without probing again.
  EXPECT_EQ(watch.Stop().probes, r.probes);
}

TEST(ProbeWatch, AnOutageWhileWatchingIsCountedWithItsLength) {
  auto port = std::make_unique<ListeningPort>();
  const std::string url = port->Url();
  ProbeWatch watch(url, milliseconds(5), 2.0);
  ProbeRecord before = AfterProbes(watch, 2);
  EXPECT_EQ(before.failures, 0);
  port->Close();  // monitoring goes down ...
  ProbeRecord during = AfterProbes(watch, before.probes + 3);
  while (during.failures < 2) during = AfterProbes(watch, during.probes + 1);
  EXPECT_FALSE(during.last.ok);
  EXPECT_FALSE(during.first_failure.empty());
  ProbeRecord r = watch.Stop();
  EXPECT_GE(r.failures, 2);
  EXPECT_GT(r.longest_outage_seconds, 0);
  EXPECT_NE(ProbeRecordText(r).find("did not answer"), std::string::npos) << ProbeRecordText(r);
  auto json = ProbeRecordToJson(r);
  EXPECT_EQ(json["url"], url);
  EXPECT_EQ(json["failures"], r.failures);
}

}  // namespace
}  // namespace peerlock
