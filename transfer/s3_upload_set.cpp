#include "transfer/s3_upload_set.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/work_units.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

constexpr uint64_t small_put_bytes = 8ULL << 20;

// One file: a single PUT, or a multipart upload whose parts workers take.
struct FileState {
  const UploadJob* job = nullptr;
  uint64_t part_size = 0;
  uint64_t parts = 1;
  bool multipart = false;
  std::mutex mutex;  // guards starting the upload
  bool started = false;
  std::string upload_id;
  std::map<int, s3::UploadedPart> in_s3;  // parts an earlier run left (resume)
  std::vector<PartResult> done;           // by part index
  std::atomic<uint64_t> remaining{0};
  std::atomic<bool> completed{false};
  std::chrono::steady_clock::time_point began{};  // when the upload began (multipart)
};

struct Unit {
  size_t file;
  uint64_t part;  // index
};

class SetUpload {
 public:
  SetUpload(ObjectStore& store, const FileSystem& fs, const std::vector<UploadJob>& jobs,
            const UploadSetOptions& options)
      : store_(store), fs_(fs), options_(options), files_(jobs.size()) {
    for (size_t i = 0; i < jobs.size(); ++i) {
      FileState& f = files_[i];
      f.job = &jobs[i];
      f.part_size = jobs[i].entry.part_size_or(options.fallback_part_size);
      f.multipart = jobs[i].entry.size > f.part_size;
      f.parts = f.multipart ? part_count(jobs[i].entry.size, f.part_size) : 1;
      f.done.resize(f.parts);
      f.remaining = f.parts;
      for (uint64_t p = 0; p < f.parts; ++p) units_.push_back({i, p});
    }
  }

  Result<UploadSetResult> run() {
    Status sent = pool_.run(units_.size(), connections(), [this](size_t i) { return run_unit(units_[i]); });
    if (sent) return UploadSetResult{sent_, kept_, std::move(opaque_etags_)};
    // Interrupted, or a network or server failure that outlasted the retries: a re-run resumes.
    bool resumable = sent.error().kind == ErrorKind::interrupted || sent.error().transient;
    for (FileState& f : files_) {
      if (f.started && !f.completed && !resumable) {
        abort_upload(store_, f.job->target, f.upload_id);
        tell_upload_id(f, "");
      }
    }
    return std::unexpected(sent.error());
  }

 private:
  // Small PUTs spend their time waiting for replies, not sending: a set made mostly of them
  // (a Bruker folder) gets twice the connections (P6 in bench/RESULTS.md).
  unsigned connections() const {
    unsigned base = std::max(1U, options_.concurrency);
    size_t small = 0;
    for (const FileState& f : files_) small += !f.multipart && f.job->entry.size <= small_put_bytes;
    return small * 2 > units_.size() ? std::min(2 * base, 64U) : base;
  }

  Status run_unit(const Unit& unit) {
    FileState& f = files_[unit.file];
    const UploadJob& job = *f.job;
    UploadSource source{&fs_, job.source, job.source_differs};
    if (!f.multipart) {
      auto began = std::chrono::steady_clock::now();
      TRY_ASSIGN(opaque, put_file(store_, source, job.target, job.entry, options_.limiter));
      note_opaque(job, opaque);
      ++sent_;
      options_.on_bytes(job.entry.size);
      log_uploaded(job, began);
      return {};
    }
    TRY(start(f));
    PartSpec spec = part_spec(job.entry, f.part_size, unit.part);
    auto kept = f.in_s3.find(spec.number);
    auto part = send_part(store_, source, job.target, f.upload_id, spec,
                          kept == f.in_s3.end() ? nullptr : &kept->second, options_.limiter);
    if (!part) return std::unexpected(part.error());
    f.done[unit.part] = *part;
    ++(part->sent ? sent_ : kept_);
    options_.on_bytes(spec.length);
    if (--f.remaining > 0) return {};
    TRY_ASSIGN(opaque, complete_upload(store_, job.target, f.upload_id, f.done, job.entry));
    note_opaque(job, opaque);
    f.completed = true;
    tell_upload_id(f, "");
    log_uploaded(job, f.began);
    return {};
  }

  static void log_uploaded(const UploadJob& job, std::chrono::steady_clock::time_point began) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    log_with(spdlog::level::debug, {job.target.key, job.entry.size, seconds}, "uploaded and verified");
  }

  // The file's upload: the earlier run's when it still exists (its parts listed), else new.
  Status start(FileState& f) {
    std::lock_guard lock(f.mutex);
    if (f.started) return {};
    const UploadJob& job = *f.job;
    f.began = std::chrono::steady_clock::now();
    if (!job.resume_upload_id.empty()) {
      auto parts = list_all_parts(store_, job.target.bucket, job.target.key, job.resume_upload_id);
      if (parts) {
        for (const auto& p : *parts) f.in_s3[p.number] = p;
        f.upload_id = job.resume_upload_id;
        spdlog::info("resuming the upload of {}: {} part(s) already in S3", s3_url(job.target), parts->size());
      } else if (s3::is_interrupted(parts.error()) || s3::is_transient(parts.error())) {
        return std::unexpected(s3_failure(parts.error(), "listing the parts of " + s3_url(job.target)));
      } else {  // gone (aborted, expired), or a store without ListParts: a new upload is always right
        spdlog::info("cannot resume the earlier upload of {} ({}); starting a new one", s3_url(job.target),
                     s3::describe(parts.error()));
      }
    }
    if (f.upload_id.empty()) {
      auto id = store_.create_multipart_upload(job.target.bucket, job.target.key);
      if (!id) return std::unexpected(s3_write_failure(id.error(), "starting the upload of " + s3_url(job.target)));
      f.upload_id = *id;
    }
    f.started = true;
    tell_upload_id(f, f.upload_id);
    return {};
  }

  void note_opaque(const UploadJob& job, const std::string& etag) {
    if (etag.empty()) return;
    std::lock_guard lock(callback_mutex_);
    opaque_etags_[job.target.key] = etag;
  }

  void tell_upload_id(FileState& f, const std::string& id) {
    std::lock_guard lock(callback_mutex_);
    options_.on_upload_id(*f.job, id);
  }

  ObjectStore& store_;
  const FileSystem& fs_;
  const UploadSetOptions& options_;
  std::vector<FileState> files_;
  std::vector<Unit> units_;
  WorkUnits pool_;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> kept_{0};
  std::mutex callback_mutex_;                         // also guards opaque_etags_
  std::map<std::string, std::string> opaque_etags_;
};

}  // namespace

Result<UploadSetResult> upload_files(ObjectStore& store, const FileSystem& fs, const std::vector<UploadJob>& jobs,
                                     const UploadSetOptions& options) {
  for (const UploadJob& job : jobs) {  // before anything is sent
    if (Status s = check_part_count(job.target, job.entry, job.entry.part_size_or(options.fallback_part_size)); !s) {
      return std::unexpected(s.error());
    }
  }
  return SetUpload(store, fs, jobs, options).run();
}

}  // namespace rawbackup
