#include "storage/block_fanout.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/interrupt.h"

namespace rawbackup {
namespace {

// Blocks shared by the reader (producer) and the worker sinks (consumers).
class Ring {
 public:
  Ring(size_t blocks, size_t block_size, size_t workers)
      : block_size_(block_size), slots_(blocks), mappings_(blocks), lengths_(blocks), consumed_(workers) {}

  std::span<std::byte> slot_for_write(uint64_t index) {
    mappings_[index % slots_.size()].reset();
    if (slots_[index % slots_.size()].empty()) slots_[index % slots_.size()].resize(block_size_);
    return slots_[index % slots_.size()];
  }
  // Zero-copy: the block is a mapped window of the file (kept until the slot is reused).
  std::span<const std::byte> set_mapping(uint64_t index, std::shared_ptr<const MappedBytes> m) {
    mappings_[index % slots_.size()] = std::move(m);
    return mappings_[index % slots_.size()]->bytes();
  }
  std::span<const std::byte> block(uint64_t index) const {
    size_t slot = index % slots_.size();
    if (mappings_[slot]) return mappings_[slot]->bytes();
    return std::span(slots_[slot]).first(lengths_[slot]);
  }

  // Reader: waits until every worker is done with the block that used this slot before.
  bool wait_slot_free(uint64_t index) {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return aborted() || consumed_.empty() || index - min_consumed() < slots_.size(); });
    return !aborted();
  }

  void publish(uint64_t index, size_t length) {
    std::lock_guard lock(mutex_);
    lengths_[index % slots_.size()] = length;
    produced_ = index + 1;
    ready_.notify_all();
  }

  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    ready_.notify_all();
  }

  // Worker: waits for block `index`; false when the stream ended or was aborted.
  bool wait_block(uint64_t index) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return aborted() || produced_ > index || finished_; });
    return !aborted() && produced_ > index;
  }

  void mark_consumed(size_t worker, uint64_t index) {
    std::lock_guard lock(mutex_);
    consumed_[worker] = index + 1;
    freed_.notify_all();
  }

  void abort(Error error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
    ready_.notify_all();
    freed_.notify_all();
  }

  std::optional<Error> error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  bool aborted() const { return error_.has_value(); }
  uint64_t min_consumed() const { return *std::min_element(consumed_.begin(), consumed_.end()); }

  size_t block_size_;
  std::vector<std::vector<std::byte>> slots_;  // allocated on first use (not when mapping)
  std::vector<std::shared_ptr<const MappedBytes>> mappings_;
  std::vector<size_t> lengths_;
  std::vector<uint64_t> consumed_;
  std::mutex mutex_;
  std::condition_variable ready_, freed_;
  uint64_t produced_ = 0;
  bool finished_ = false;
  std::optional<Error> error_;
};

void run_worker(Ring& ring, BlockSink& sink, size_t worker) {
  for (uint64_t index = 0; ring.wait_block(index); ++index) {
    if (Status s = sink.consume(ring.block(index)); !s) {
      ring.abort(s.error());
      return;
    }
    ring.mark_consumed(worker, index);
  }
}

struct Block {
  std::span<const std::byte> bytes;
  bool last;  // shorter than asked for: the file ends here
};

// The next block into the ring's slot for `index`: a mapped window when the file can be
// mapped (no copy), else read into the slot's buffer.
Result<Block> next_block(InputFile& input, Ring& ring, uint64_t index, const FanOutOptions& options) {
  if (options.map_bytes > 0) {
    TRY_ASSIGN(mapping, input.map_next(options.map_bytes));
    if (mapping) {
      auto bytes = ring.set_mapping(index, std::move(mapping));
      return Block{bytes, bytes.size() < options.map_bytes};
    }
  }
  std::span<std::byte> slot = ring.slot_for_write(index);
  Result<size_t> length = read_full(input, slot);
  if (!length) return std::unexpected(length.error());
  return Block{slot.first(*length), *length < slot.size()};
}

Status read_all(InputFile& input, Ring& ring, BlockSink& first, const FanOutOptions& options, uint64_t& total) {
  for (uint64_t index = 0;; ++index) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted");
    if (!ring.wait_slot_free(index)) return {};
    TRY_ASSIGN(block, next_block(input, ring, index, options));
    if (block.bytes.empty() && index > 0) return {};
    ring.publish(index, block.bytes.size());
    TRY(first.consume(block.bytes));
    total += block.bytes.size();
    if (options.on_block) options.on_block(block.bytes.size());
    if (block.last) return {};
  }
}

}  // namespace

Result<uint64_t> fan_out(InputFile& input, std::span<BlockSink* const> sinks, const FanOutOptions& options) {
  if (sinks.empty()) return fail("fan_out needs at least one sink");
  Ring ring(std::max<size_t>(options.ring_blocks, 1), options.block_size, sinks.size() - 1);
  std::vector<std::jthread> workers;
  for (size_t i = 1; i < sinks.size(); ++i) {
    workers.emplace_back([&ring, sink = sinks[i], i] { run_worker(ring, *sink, i - 1); });
  }
  uint64_t total = 0;
  Status status = read_all(input, ring, *sinks[0], options, total);
  if (!status) ring.abort(status.error());
  ring.finish();
  workers.clear();  // joins
  if (auto error = ring.error()) return std::unexpected(*error);
  return total;
}

}  // namespace rawbackup
