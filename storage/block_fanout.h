// Read a file once and hand every block, in order, to several consumers at once
// (e.g. a whole-file MD5 and a per-part MD5, or a writer and a hasher).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "common/result.h"
#include "integrity/block_sink.h"
#include "storage/filesystem.h"

namespace rawbackup {

// Defaults measured in bench/RESULTS.md. Mapped 1 MiB windows beat read(): no copy into a
// buffer, and half the kernel time. When reading, blocks under 128 KiB stay in the cores'
// caches between read() and the hashers (1 MiB blocks cost 2.5x the kernel time).
struct FanOutOptions {
  size_t map_bytes = size_t{1} << 20;         // map windows of this size when the file can be mapped; 0: read
  size_t block_size = 64 * 1024;              // read() block size otherwise
  size_t ring_blocks = 4;                     // blocks (or windows) in memory at once
  std::function<void(size_t)> on_block = {};  // after each block is read (progress)
};

// Reads `input` to its end. sinks[0] runs on the calling thread, every other sink on a
// thread of its own; memory is ring_blocks * block_size whatever the file size.
// The first read error, sink error or interruption (common/interrupt.h) stops all.
// Returns the number of bytes read.
Result<uint64_t> fan_out(InputFile& input, std::span<BlockSink* const> sinks, const FanOutOptions& options = {});

}  // namespace rawbackup
