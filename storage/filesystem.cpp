#include "storage/filesystem.h"

namespace rawbackup {

Result<size_t> read_full(InputFile& input, std::span<std::byte> buf) {
  size_t filled = 0;
  while (filled < buf.size()) {
    Result<size_t> n = input.read(buf.subspan(filled));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    filled += *n;
  }
  return filled;
}

}  // namespace rawbackup
