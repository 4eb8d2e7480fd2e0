#include "transfer/s3_fetch.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "common/interrupt.h"
#include "common/text.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

constexpr size_t parts_named = 3;  // in a message; the rest are counted

// Fetches the parts listed in `todo` (indices), workers taking them in order; the first
// failure stops the rest. Fills `digests` at those indices.
struct FetchState {
  ObjectStore& store;
  const S3Target& target;
  uint64_t size;
  uint64_t part_size;
  const FetchOptions& options;
  std::vector<Md5Digest>& digests;
  const std::vector<uint64_t>& todo;
  std::atomic<size_t> next{0};
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
    if (!got) return std::unexpected(s3_failure(got.error(), "GET " + s3_url(target)));
    if (*got != length) return fail(ErrorKind::mismatch, s3_url(target) + " is shorter than recorded");
    digests[index] = md5.finish();
    return {};
  }

  void work() {
    for (size_t i = next++; i < todo.size() && !stop; i = next++) {
      if (interrupted()) return record(Error{ErrorKind::interrupted, "interrupted"});
      if (Status s = fetch_part(todo[i]); !s) return record(s.error());
    }
  }
};

Status fetch_parts(ObjectStore& store, const S3Target& target, uint64_t size, uint64_t part_size,
                   const FetchOptions& options, const std::vector<uint64_t>& todo, std::vector<Md5Digest>& digests) {
  FetchState state{store, target, size, part_size, options, digests, todo, {}, {}, {}, {}};
  unsigned threads = static_cast<unsigned>(std::min<uint64_t>(std::max(1U, options.workers), todo.size()));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { state.work(); });
  state.work();
  for (std::thread& t : pool) t.join();
  if (state.error) return std::unexpected(*state.error);
  return {};
}

// Parts whose MD5 is not the recorded one; empty when the record has none to compare with.
std::vector<uint64_t> differing_parts(const FileEntry& entry, uint64_t part_size, const std::vector<Md5Digest>& got) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < got.size(); ++i) {
    std::string expected = entry.part_md5_hex(part_size, i);
    if (expected.empty()) return {};
    if (to_hex(got[i]) != expected) out.push_back(i);
  }
  return out;
}

}  // namespace

std::string describe_parts(uint64_t size, uint64_t part_size, const std::vector<uint64_t>& parts) {
  std::vector<std::string> named;
  for (size_t i = 0; i < parts.size() && i < parts_named; ++i) {
    uint64_t offset = parts[i] * part_size;
    PartSpec part{static_cast<int>(parts[i] + 1), offset, std::min(part_size, size - offset), ""};
    named.push_back("part " + std::to_string(part.number) + " (" + part.range() + ")");
  }
  std::string text = join(named, ", ");
  if (parts.size() > parts_named) text += " and " + std::to_string(parts.size() - parts_named) + " more";
  return text;
}

Result<FetchCheck> fetch_and_check(ObjectStore& store, const S3Target& target, const FileEntry& entry,
                                   const FetchOptions& options) {
  uint64_t part_size = entry.part_size_or(options.fallback_part_size);
  std::vector<Md5Digest> digests(part_count(entry.size, part_size));
  std::vector<uint64_t> every(digests.size());
  for (uint64_t i = 0; i < every.size(); ++i) every[i] = i;
  if (Status s = fetch_parts(store, target, entry.size, part_size, options, every, digests); !s) {
    return std::unexpected(s.error());
  }
  FetchCheck check;
  if (etag_from_part_digests(digests) == entry.etag) return FetchCheck{true, "", 0};
  std::vector<uint64_t> differing = differing_parts(entry, part_size, digests);
  if (!differing.empty()) {
    spdlog::warn("{}: {} differ from the record; reading them again", s3_url(target),
                 describe_parts(entry.size, part_size, differing));
    if (Status s = fetch_parts(store, target, entry.size, part_size, options, differing, digests); !s) {
      return std::unexpected(s.error());
    }
    check.parts_refetched = differing.size();
    if (etag_from_part_digests(digests) == entry.etag) {
      spdlog::warn("{}: read again, they match the record: they were corrupted on the way", s3_url(target));
      check.matches = true;
      return check;
    }
    differing = differing_parts(entry, part_size, digests);
  }
  std::string got = etag_from_part_digests(digests);
  check.difference = differing.empty()
                         ? "its bytes give ETag " + got + ", the record " + entry.etag
                         : describe_parts(entry.size, part_size, differing) +
                               (differing.size() == 1 ? " differs" : " differ") +
                               " from the record (its bytes give ETag " + got + ", the record " + entry.etag + ")";
  return check;
}

}  // namespace rawbackup
