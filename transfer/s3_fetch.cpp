#include "transfer/s3_fetch.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <optional>

#include "common/interrupt.h"
#include "common/text.h"
#include "common/work_units.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

constexpr size_t parts_named = 3;  // in a message; the rest are counted

// One ranged GET of part `index` of `job`, MD5'd (and written) as it streams.
Result<Md5Digest> fetch_part(ObjectStore& store, const FetchJob& job, uint64_t part_size, uint64_t index,
                             const FetchOptions& options, const std::atomic<bool>& stop) {
  uint64_t offset = index * part_size;
  uint64_t length = std::min(part_size, job.entry.size - offset);
  Md5 md5;
  std::optional<Error> write_error;
  uint64_t at = offset;
  ByteSink sink = [&](std::span<const std::byte> bytes) {
    if (stop || interrupted()) return false;
    md5.update(bytes);
    if (job.write) {
      if (Status s = (*job.write)(at, bytes); !s) {
        write_error = s.error();
        return false;
      }
    }
    at += bytes.size();
    options.on_bytes(bytes.size());
    return !options.limiter || options.limiter->acquire(bytes.size());
  };
  auto got = store.get_object(job.target.bucket, job.target.key, offset, length, sink);
  if (write_error) return std::unexpected(*write_error);
  if (!got && interrupted()) return fail(ErrorKind::interrupted, "interrupted");
  if (!got) return std::unexpected(s3_failure(got.error(), "GET " + s3_url(job.target)));
  if (*got != length) return fail(ErrorKind::mismatch, s3_url(job.target) + " is shorter than recorded");
  return md5.finish();
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

// The verdict on an object whose parts are all in: the record's ETag, else the parts that
// differ read once more (one at a time: a rare path) and named when they still differ.
Result<FetchCheck> check_parts(ObjectStore& store, const FetchJob& job, uint64_t part_size,
                               std::vector<Md5Digest>& digests, const FetchOptions& options,
                               const std::atomic<bool>& stop) {
  const FileEntry& entry = job.entry;
  FetchCheck check;
  if (etag_from_part_digests(digests) == entry.etag) return FetchCheck{true, "", 0};
  std::vector<uint64_t> differing = differing_parts(entry, part_size, digests);
  if (!differing.empty()) {
    spdlog::warn("{}: {} differ from the record; reading them again", s3_url(job.target),
                 describe_parts(entry.size, part_size, differing));
    for (uint64_t index : differing) {
      TRY_ASSIGN(digest, fetch_part(store, job, part_size, index, options, stop));
      digests[index] = digest;
    }
    check.parts_refetched = differing.size();
    if (etag_from_part_digests(digests) == entry.etag) {
      spdlog::warn("{}: read again, they match the record: they were corrupted on the way", s3_url(job.target));
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

struct JobState {
  uint64_t part_size = 0;
  std::vector<Md5Digest> digests;
  std::atomic<uint64_t> parts_left{0};
  std::mutex mutex;  // guards the fields below
  std::optional<Status> started;
  std::optional<Error> failure;  // its own, of kind mismatch: the rest of its parts are skipped
};

// Workers take (job, part) units in order; the worker that fetches a job's last part gives
// its verdict.
class SetFetch {
 public:
  SetFetch(ObjectStore& store, const std::vector<FetchJob>& jobs, const FetchOptions& options, const FetchHooks& hooks)
      : store_(store), jobs_(jobs), options_(options), hooks_(hooks), states_(jobs.size()) {
    for (size_t j = 0; j < jobs.size(); ++j) {
      JobState& state = states_[j];
      state.part_size = jobs[j].entry.part_size_or(options.fallback_part_size);
      state.digests.resize(part_count(jobs[j].entry.size, state.part_size));
      state.parts_left = state.digests.size();
      for (uint64_t part = 0; part < state.digests.size(); ++part) units_.push_back({j, part});
    }
  }

  Status run() {
    return pool_.run(units_.size(), options_.workers, [this](size_t i) { return fetch_unit(units_[i]); });
  }

 private:
  struct Unit {
    size_t job;
    uint64_t part;
  };

  Status fetch_unit(const Unit& unit) {
    JobState& state = states_[unit.job];
    bool skip = false;
    {
      std::lock_guard lock(state.mutex);
      if (!state.started) state.started = hooks_.start(unit.job);
      if (!*state.started) return *state.started;
      skip = state.failure.has_value();
    }
    if (!skip) {
      auto digest = fetch_part(store_, jobs_[unit.job], state.part_size, unit.part, options_, pool_.stop_flag());
      if (!digest && digest.error().kind != ErrorKind::mismatch) return std::unexpected(digest.error());
      std::lock_guard lock(state.mutex);
      if (digest) state.digests[unit.part] = *digest;
      if (!digest && !state.failure) state.failure = digest.error();
    }
    if (state.parts_left.fetch_sub(1) != 1) return {};
    return finish(unit.job);
  }

  Status finish(size_t job) {
    JobState& state = states_[job];
    Result<FetchCheck> check =
        state.failure ? Result<FetchCheck>(std::unexpected(*state.failure))
                      : check_parts(store_, jobs_[job], state.part_size, state.digests, options_, pool_.stop_flag());
    if (!check && check.error().kind != ErrorKind::mismatch) return std::unexpected(check.error());
    std::vector<Md5Digest>().swap(state.digests);
    return hooks_.done(job, std::move(check));
  }

  ObjectStore& store_;
  const std::vector<FetchJob>& jobs_;
  const FetchOptions& options_;
  const FetchHooks& hooks_;
  std::vector<JobState> states_;
  std::vector<Unit> units_;
  WorkUnits pool_;
};

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
  std::optional<Result<FetchCheck>> result;
  FetchHooks hooks;
  hooks.done = [&](size_t, Result<FetchCheck> check) -> Status {
    result = std::move(check);
    return {};
  };
  TRY(fetch_and_check_all(store, {FetchJob{target, entry, options.write}}, options, hooks));
  return std::move(*result);
}

Status fetch_and_check_all(ObjectStore& store, const std::vector<FetchJob>& jobs, const FetchOptions& options,
                           const FetchHooks& hooks) {
  return SetFetch(store, jobs, options, hooks).run();
}

}  // namespace rawbackup
