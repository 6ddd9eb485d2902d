#pragma once
// Small string helpers shared by every layer. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerlock {

std::vector<std::string> Split(std::string_view text, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string Trim(std::string_view text);
std::string ToLower(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);

// Shell-style glob: '*' any run, '?' one character; case-sensitive.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word`, if it is plausibly a typo of it.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);

// Parses a whole decimal int64; nullopt on any junk or overflow.
std::optional<int64_t> ParseInt64(std::string_view text);
// "8GB", "500 MB", "1024", "2GiB" (KB/MB/GB/TB are powers of 1024, as DBAs size disks); nullopt
// on junk or overflow.
std::optional<int64_t> ParseByteSize(std::string_view text);

// "1.2M", "34.5k", "999" — for progress lines.
std::string HumanCount(double value);
// "1.5 MiB"
std::string HumanBytes(double bytes);
// "1m05s", "3.2s"
std::string HumanDuration(double seconds);

}  // namespace peerlock
