// The error of a result that must have failed: a test failure (not undefined behaviour) when
// it succeeded, so `error_of(f()).kind` is safe where `f().error().kind` was not.
#pragma once
#include <gtest/gtest.h>

#include <expected>

namespace rawbackup {

template <class T, class E>
E error_of(const std::expected<T, E>& result) {
  EXPECT_FALSE(result.has_value()) << "expected a failure, got a success";
  return result ? E{} : result.error();
}

}  // namespace rawbackup
