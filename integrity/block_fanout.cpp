#include "integrity/block_fanout.h"

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
      : slots_(blocks, std::vector<std::byte>(block_size)), lengths_(blocks), consumed_(workers) {}

  std::span<std::byte> slot_for_write(uint64_t index) { return slots_[index % slots_.size()]; }
  std::span<const std::byte> block(uint64_t index) const {
    return std::span(slots_[index % slots_.size()]).first(lengths_[index % slots_.size()]);
  }

  // Reader: waits until every worker is done with the block that used this slot before.
  bool wait_slot_free(uint64_t index) {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] {
      return aborted() || consumed_.empty() || index - min_consumed() < slots_.size();
    });
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

  std::vector<std::vector<std::byte>> slots_;
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

// Fills `buf` unless the file ends first; returns the bytes read.
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

Status read_all(InputFile& input, Ring& ring, BlockSink& first, const FanOutOptions& options,
                uint64_t& total) {
  for (uint64_t index = 0;; ++index) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted");
    if (!ring.wait_slot_free(index)) return {};
    std::span<std::byte> slot = ring.slot_for_write(index);
    Result<size_t> length = read_full(input, slot);
    if (!length) return std::unexpected(length.error());
    if (*length == 0 && index > 0) return {};
    ring.publish(index, *length);
    if (Status s = first.consume(slot.first(*length)); !s) return s;
    total += *length;
    if (options.on_block) options.on_block(*length);
    if (*length < slot.size()) return {};
  }
}

}  // namespace

Result<uint64_t> fan_out(InputFile& input, std::span<BlockSink* const> sinks,
                         const FanOutOptions& options) {
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
