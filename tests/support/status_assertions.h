#pragma once
// GoogleTest assertions on PeerLock's Status and Result values, naming the failed expression
// and the error (with its hint) in the failure message.

#include <gtest/gtest.h>

#include "base/error.h"

// Fails the test (and returns) unless `expr`, a Status or Result, holds a value.
#define ASSERT_OK(expr)                                                            \
  do {                                                                             \
    auto pl_st_ = (expr);                                                          \
    ASSERT_TRUE(pl_st_.has_value()) << #expr << ": " << pl_st_.error().ToString(); \
  } while (0)

// Declares `var` from a Result, failing the test on error.
#define ASSERT_OK_AND_ASSIGN(var, expr)                                   \
  auto PL_CONCAT(cap_r_, __LINE__) = (expr);                              \
  ASSERT_TRUE(PL_CONCAT(cap_r_, __LINE__).has_value())                    \
      << #expr << ": " << PL_CONCAT(cap_r_, __LINE__).error().ToString(); \
  var = std::move(*PL_CONCAT(cap_r_, __LINE__))
