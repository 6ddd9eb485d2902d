#pragma once
// Streams one file into another through zstd (compress or decompress) and takes the SHA-256 of
// the compressed side as it goes: a backup's archive is checksummed while it is written, and
// checked while it is read back, without holding either file in memory. The output is written
// to `<out>.partial` and renamed only when whole, so a killed run never leaves a file that looks
// complete; with an empty output path nothing is written at all (a check of the input alone).
// Blocks; thread-safe (no shared state).

#include <cstdint>
#include <string>

#include "base/cancel.h"
#include "base/error.h"

namespace peerlock {

struct ZstdFileResult {
  int64_t raw_bytes = 0;         // the uncompressed side
  int64_t compressed_bytes = 0;  // the compressed side
  std::string sha256;            // of the compressed side, lowercase hex
};

// `level`: zstd's 1..19 (3 is zstd's default: fast, about pg_dump -Z6's ratio). Two worker
// threads when the library has them.
Result<ZstdFileResult> CompressFile(const std::string& in, const std::string& out, int level,
                                    const CancelFlag* cancel = nullptr);
// Fails with kDataLoss when `in` is not whole zstd data (truncated or damaged). An empty `out`
// discards what is unpacked: the input is still read whole and checked (zstd's frame checksums,
// the SHA-256 and sizes returned), without the room or the time a copy would take on disk.
Result<ZstdFileResult> DecompressFile(const std::string& in, const std::string& out,
                                      const CancelFlag* cancel = nullptr);

}  // namespace peerlock
