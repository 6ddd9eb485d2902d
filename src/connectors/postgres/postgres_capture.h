#pragma once
// PostgreSQL change capture for `peerlock sync`: a publication and a logical replication slot
// (built-in pgoutput plugin) named after the capture, created with an exported snapshot that
// the copy reads, and a stream over the replication protocol (START_REPLICATION, CopyBoth)
// that decodes committed transactions into ChangeTxn. Positions are commit end LSNs ("0/16B3748").
// The slot only advances when the engine confirms a position the target committed.

#include <memory>
#include <string>

#include "connector/change_capture.h"
#include "connector/endpoint.h"

namespace peerlock {

Result<std::unique_ptr<CaptureHandle>> StartPgCapture(const Endpoint& endpoint,
                                                      const CaptureSpec& spec);
Result<std::unique_ptr<ChangeStream>> OpenPgChangeStream(const Endpoint& endpoint,
                                                         const CaptureSpec& spec,
                                                         const std::string& position);
Status DropPgCapture(const Endpoint& endpoint, const CaptureSpec& spec);

}  // namespace peerlock
