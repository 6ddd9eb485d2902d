#pragma once
// Internal to src/plan: the one shape of every plan error, shared by the parser and the catalog
// validation so both read alike: "<file>:<line>:<column>: <what is wrong>, expected <what>",
// ErrorCode::kPlan, and a hint. Pure functions, thread-safe.

#include <string>

#include "base/error.h"
#include "plan/plan.h"

namespace peerlock::plan_internal {

// "<file>:<line>:<column>: ", "<file>: " without a location, "" without a file.
std::string LocationPrefix(const std::string& file, SourceLocation where);

// An ErrorCode::kPlan error located in `file`.
Error PlanError(const std::string& file, SourceLocation where, const std::string& what,
                const std::string& expected, std::string hint);

// "did you mean 'x'?" for the candidate closest to `word`, or `otherwise` when none is close.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates,
                       std::string otherwise);

// "'a', 'b' or 'c'", for messages that list what is allowed.
std::string QuotedList(const std::vector<std::string>& words);

}  // namespace peerlock::plan_internal
