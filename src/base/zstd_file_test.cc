#include "base/zstd_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "base/sha256.h"
#include "support/child_processes.h"

namespace peerlock {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Half repetitive, half random: compressible, and larger than one zstd buffer.
std::string SomeBytes(size_t n) {
  std::mt19937 rng(7);
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += i % 2 ? static_cast<char>(rng() & 0xff) : static_cast<char>('a' + i % 13);
  return out;
}

// Writes `bytes` to `dir`/in and compresses them into `dir`/in.zst.
ZstdFileResult PackInto(const fs::path& dir, const std::string& bytes) {
  Spit(dir / "in", bytes);
  auto packed = CompressFile((dir / "in").string(), (dir / "in.zst").string(), 3);
  EXPECT_TRUE(packed.has_value()) << packed.error().ToString();
  return packed.value_or(ZstdFileResult{});
}

TEST(ZstdFile, RoundTripsAndChecksumsTheCompressedSide) {
  ScratchDir dir("zstd");
  std::string original = SomeBytes(700000);
  Spit(dir.path() / "in", original);
  auto packed = CompressFile((dir.path() / "in").string(), (dir.path() / "in.zst").string(), 3);
  ASSERT_TRUE(packed.has_value()) << packed.error().ToString();
  EXPECT_EQ(packed->raw_bytes, static_cast<int64_t>(original.size()));
  std::string archive = Slurp(dir.path() / "in.zst");
  EXPECT_EQ(packed->compressed_bytes, static_cast<int64_t>(archive.size()));
  EXPECT_LT(archive.size(), original.size());
  EXPECT_EQ(packed->sha256, Sha256Hex(archive));
  EXPECT_FALSE(fs::exists(dir.path() / "in.zst.partial"));

  auto unpacked = DecompressFile((dir.path() / "in.zst").string(), (dir.path() / "out").string());
  ASSERT_TRUE(unpacked.has_value()) << unpacked.error().ToString();
  EXPECT_EQ(unpacked->sha256, packed->sha256);
  EXPECT_EQ(unpacked->raw_bytes, packed->raw_bytes);
  EXPECT_EQ(Slurp(dir.path() / "out"), original);
}

TEST(ZstdFile, AnEmptyFileRoundTrips) {
  ScratchDir dir("zstd");
  Spit(dir.path() / "in", "");
  ASSERT_TRUE(CompressFile((dir.path() / "in").string(), (dir.path() / "in.zst").string(), 3));
  auto unpacked = DecompressFile((dir.path() / "in.zst").string(), (dir.path() / "out").string());
  ASSERT_TRUE(unpacked.has_value()) << unpacked.error().ToString();
  EXPECT_EQ(unpacked->raw_bytes, 0);
  EXPECT_EQ(Slurp(dir.path() / "out"), "");
}

TEST(ZstdFile, TruncatedOrDamagedDataFailsAndLeavesNoOutput) {
  ScratchDir dir("zstd");
  Spit(dir.path() / "in", SomeBytes(300000));
  ASSERT_TRUE(CompressFile((dir.path() / "in").string(), (dir.path() / "in.zst").string(), 3));
  std::string archive = Slurp(dir.path() / "in.zst");

  Spit(dir.path() / "cut.zst", archive.substr(0, archive.size() - 9));
  auto cut = DecompressFile((dir.path() / "cut.zst").string(), (dir.path() / "cut").string());
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(cut.error().message().find("truncated"), std::string::npos) << cut.error().message();
  EXPECT_FALSE(fs::exists(dir.path() / "cut"));
  EXPECT_FALSE(fs::exists(dir.path() / "cut.partial"));

  std::string damaged = archive;
  damaged[damaged.size() / 2] ^= 0x40;
  Spit(dir.path() / "bad.zst", damaged);
  auto bad = DecompressFile((dir.path() / "bad.zst").string(), (dir.path() / "bad").string());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
  EXPECT_FALSE(fs::exists(dir.path() / "bad"));
}

// An empty output path checks the archive without writing anything, damaged or not.
TEST(ZstdFile, AnEmptyOutputChecksWithoutWriting) {
  ScratchDir dir("zstd");
  std::string original = SomeBytes(300000);
  ZstdFileResult packed = PackInto(dir.path(), original);
  std::string archive = Slurp(dir.path() / "in.zst");
  std::string damaged = archive;
  damaged[damaged.size() / 2] ^= 0x40;
  Spit(dir.path() / "bad.zst", damaged);
  Spit(dir.path() / "cut.zst", archive.substr(0, archive.size() - 9));
  auto listing = [&] {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path())) names.insert(e.path().string());
    return names;
  };
  const std::set<std::string> before = listing();

  auto checked = DecompressFile((dir.path() / "in.zst").string(), "");
  ASSERT_TRUE(checked.has_value()) << checked.error().ToString();
  EXPECT_EQ(checked->sha256, packed.sha256);
  EXPECT_EQ(checked->raw_bytes, static_cast<int64_t>(original.size()));
  EXPECT_EQ(checked->compressed_bytes, static_cast<int64_t>(archive.size()));

  auto bad = DecompressFile((dir.path() / "bad.zst").string(), "");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
  auto cut = DecompressFile((dir.path() / "cut.zst").string(), "");
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(cut.error().message().find("truncated"), std::string::npos) << cut.error().message();

  EXPECT_EQ(listing(), before);
  EXPECT_FALSE(fs::exists(".partial"));  // nor a file named after the empty path
}

TEST(ZstdFile, AMissingInputNamesThePath) {
  ScratchDir dir("zstd");
  auto missing = CompressFile((dir.path() / "nope").string(), (dir.path() / "x.zst").string(), 3);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace peerlock
