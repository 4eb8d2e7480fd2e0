// Deterministic test content.
#pragma once
#include <cstddef>
#include <string>

namespace rawbackup {

// n bytes of a repeating, non-trivial pattern (not all parts alike).
inline std::string test_data(size_t n, size_t mul = 7, size_t add = 3) {
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * mul + add) % 256));
  return s;
}

}  // namespace rawbackup
