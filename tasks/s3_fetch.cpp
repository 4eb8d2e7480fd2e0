#include "tasks/s3_fetch.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "common/interrupt.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

// The parts of one object, taken by workers in order; the first failure stops the rest.
struct FetchState {
  ObjectStore& store;
  const S3Target& target;
  uint64_t size;
  uint64_t part_size;
  const FetchOptions& options;
  std::vector<Md5Digest> digests;
  std::atomic<uint64_t> next_part{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::optional<Error> error;

  void record(Error e) {
    std::lock_guard lock(error_mutex);
    if (!error) error = std::move(e);
    stop = true;
  }

  Status fetch_part(uint64_t index) {
    uint64_t offset = index * part_size;
    uint64_t length = std::min(part_size, size - offset);
    Md5 md5;
    std::optional<Error> write_error;
    uint64_t at = offset;
    ByteSink sink = [&](std::span<const std::byte> bytes) {
      if (stop || interrupted()) return false;
      md5.update(bytes);
      if (options.write) {
        if (Status s = (*options.write)(at, bytes); !s) {
          write_error = s.error();
          return false;
        }
      }
      at += bytes.size();
      options.on_bytes(bytes.size());
      return !options.limiter || options.limiter->acquire(bytes.size());
    };
    auto got = store.get_object(target.bucket, target.key, offset, length, sink);
    if (write_error) return std::unexpected(*write_error);
    if (!got && interrupted()) return fail(ErrorKind::interrupted, "interrupted");
    if (!got) return std::unexpected(s3_failure(got.error(), "GET s3://" + target.bucket + "/" + target.key));
    if (*got != length) {
      return fail(ErrorKind::mismatch, "s3://" + target.bucket + "/" + target.key + " is shorter than recorded");
    }
    digests[index] = md5.finish();
    return {};
  }

  void work() {
    for (uint64_t i = next_part++; i < digests.size() && !stop; i = next_part++) {
      if (interrupted()) return record(Error{ErrorKind::interrupted, "interrupted"});
      if (Status s = fetch_part(i); !s) return record(s.error());
    }
  }
};

}  // namespace

Result<std::string> fetch_object(ObjectStore& store, const S3Target& target, const FileEntry& entry,
                                 const FetchOptions& options) {
  uint64_t part_size = entry.part_size_or(options.fallback_part_size);
  unsigned workers = options.workers;
  FetchState state{store, target, entry.size, part_size, options, {}, {}, {}, {}, {}};
  state.digests.resize(part_count(entry.size, part_size));
  unsigned threads = static_cast<unsigned>(std::min<uint64_t>(std::max(1U, workers), state.digests.size()));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { state.work(); });
  state.work();
  for (std::thread& t : pool) t.join();
  if (state.error) return std::unexpected(*state.error);
  return etag_from_part_digests(state.digests);
}

}  // namespace rawbackup
