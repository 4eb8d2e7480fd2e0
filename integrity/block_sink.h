// What consumes a file's bytes block by block, in order: hashers (integrity/hash_sinks.h), a
// writer. Fed by storage/block_fanout.h, which reads the file.
#pragma once
#include <cstddef>
#include <span>

#include "common/result.h"

namespace rawbackup {

class BlockSink {
 public:
  virtual ~BlockSink() = default;
  // Called once per block, in file order, always from the same thread.
  virtual Status consume(std::span<const std::byte> block) = 0;
};

}  // namespace rawbackup
