#include "base/zstd_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "base/strings.h"

namespace peerlock {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

struct DigestFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Error IoError(const std::string& what, const std::string& path, int err) {
  Error e(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return e.WithHint("free space on that disk, then run again");
  return e.WithHint("check that the directory exists and is writable");
}

// The streaming state shared by both directions: files, buffers, the running SHA-256.
class Pump {
 public:
  Pump(std::string in, std::string out, const CancelFlag* cancel)
      : in_path_(std::move(in)), out_path_(std::move(out)), cancel_(cancel) {}

  Status Open() {
    in_.reset(std::fopen(in_path_.c_str(), "rb"));
    if (!in_) return Fail(IoError("cannot read", in_path_, errno));
    if (!out_path_.empty()) {
      partial_ = out_path_ + ".partial";
      out_.reset(std::fopen(partial_.c_str(), "wb"));
      if (!out_) return Fail(IoError("cannot write", partial_, errno));
    }
    sha_.reset(EVP_MD_CTX_new());
    EVP_DigestInit_ex(sha_.get(), EVP_sha256(), nullptr);
    return {};
  }
  // Reads up to `buf.size()` bytes; 0 at the end.
  Result<size_t> Read(std::vector<char>& buf, bool hash) {
    if (cancel_ && cancel_->Cancelled())
      return Fail(Error(ErrorCode::kCancelled, out_path_.empty()
                                                   ? "interrupted while checking " + in_path_
                                                   : "interrupted while writing " + out_path_));
    size_t n = std::fread(buf.data(), 1, buf.size(), in_.get());
    if (n < buf.size() && std::ferror(in_.get()))
      return Fail(IoError("cannot read", in_path_, errno));
    if (hash) EVP_DigestUpdate(sha_.get(), buf.data(), n);
    if (hash)
      result_.compressed_bytes += static_cast<int64_t>(n);
    else
      result_.raw_bytes += static_cast<int64_t>(n);
    return n;
  }
  Status Write(const char* data, size_t n, bool hash) {
    if (n == 0) return {};
    if (out_ && std::fwrite(data, 1, n, out_.get()) != n)
      return Fail(IoError("cannot write", partial_, errno));
    if (hash) EVP_DigestUpdate(sha_.get(), data, n);
    if (hash)
      result_.compressed_bytes += static_cast<int64_t>(n);
    else
      result_.raw_bytes += static_cast<int64_t>(n);
    return {};
  }
  // Flushes to disk, then gives the file its final name (when there is one).
  Result<ZstdFileResult> Finish() {
    if (out_) PL_TRY(Keep());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(sha_.get(), digest, &length);
    result_.sha256 = HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
    return result_;
  }
  // On failure: no half-written file stays behind.
  void Abandon() {
    out_.reset();
    if (!partial_.empty()) std::remove(partial_.c_str());
  }

 private:
  Status Keep() {
    if (std::fflush(out_.get()) != 0 || fsync(fileno(out_.get())) != 0)
      return Fail(IoError("cannot write", partial_, errno));
    FILE* f = out_.release();
    if (std::fclose(f) != 0) return Fail(IoError("cannot write", partial_, errno));
    std::error_code ec;
    std::filesystem::rename(partial_, out_path_, ec);
    if (ec) return Fail(IoError("cannot rename to", out_path_, ec.value()));
    return {};
  }

  std::string in_path_, out_path_, partial_;
  const CancelFlag* cancel_;
  File in_, out_;
  std::unique_ptr<EVP_MD_CTX, DigestFree> sha_;
  ZstdFileResult result_;
};

struct CctxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

Status Compress(Pump& pump, int level) {
  std::unique_ptr<ZSTD_CCtx, CctxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Fail(Error(ErrorCode::kInternal, "zstd: cannot create a compression context"));
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_nbWorkers, 2);  // ignored without threads support
  std::vector<char> in(ZSTD_CStreamInSize()), out(ZSTD_CStreamOutSize());
  for (;;) {
    PL_ASSIGN(size_t n, pump.Read(in, /*hash=*/false));
    ZSTD_EndDirective mode = n < in.size() ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer input{in.data(), n, 0};
    bool done = false;
    while (!done) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      size_t left = ZSTD_compressStream2(cctx.get(), &output, &input, mode);
      if (ZSTD_isError(left))
        return Fail(Error(ErrorCode::kInternal,
                          std::string("zstd compression failed: ") + ZSTD_getErrorName(left)));
      PL_TRY(pump.Write(out.data(), output.pos, /*hash=*/true));
      done = mode == ZSTD_e_end ? left == 0 : input.pos == input.size;
    }
    if (mode == ZSTD_e_end) return {};
  }
}

Status Decompress(Pump& pump, const std::string& in_path) {
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx)
    return Fail(Error(ErrorCode::kInternal, "zstd: cannot create a decompression context"));
  std::vector<char> in(ZSTD_DStreamInSize()), out(ZSTD_DStreamOutSize());
  size_t last = 1;  // 0 once a frame is complete
  bool any = false;
  for (;;) {
    PL_ASSIGN(size_t n, pump.Read(in, /*hash=*/true));
    if (n == 0) break;
    any = true;
    ZSTD_inBuffer input{in.data(), n, 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      last = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last))
        return Fail(Error(ErrorCode::kDataLoss,
                          in_path + " is damaged: " + std::string(ZSTD_getErrorName(last)))
                        .WithHint("use another copy of the backup; this one cannot be restored"));
      PL_TRY(pump.Write(out.data(), output.pos, /*hash=*/false));
    }
  }
  if (!any || last != 0)
    return Fail(Error(ErrorCode::kDataLoss, in_path + " is truncated: the zstd data ends early")
                    .WithHint("use another copy of the backup; this one cannot be restored"));
  return {};
}

// Opens, streams with `body`, and renames into place; on any failure removes the partial file.
template <typename Body>
Result<ZstdFileResult> Stream(const std::string& in, const std::string& out,
                              const CancelFlag* cancel, Body body) {
  Pump pump(in, out, cancel);
  Status done = pump.Open();
  if (done) done = body(pump);
  if (!done) {
    pump.Abandon();
    return std::unexpected(done.error());
  }
  auto finished = pump.Finish();
  if (!finished) pump.Abandon();
  return finished;
}

}  // namespace

Result<ZstdFileResult> CompressFile(const std::string& in, const std::string& out, int level,
                                    const CancelFlag* cancel) {
  return Stream(in, out, cancel, [level](Pump& pump) { return Compress(pump, level); });
}

Result<ZstdFileResult> DecompressFile(const std::string& in, const std::string& out,
                                      const CancelFlag* cancel) {
  return Stream(in, out, cancel, [&in](Pump& pump) { return Decompress(pump, in); });
}

}  // namespace peerlock
