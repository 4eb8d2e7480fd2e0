#include "transfer/parallel_copy.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/work_units.h"
#include "config/config.h"
#include "integrity/etag.h"
#include "transfer/copy_file.h"

namespace rawbackup {
namespace {

constexpr size_t window = mebibyte;              // bytes mapped (or read) at a time per worker
constexpr uint64_t batch_below = 64 * mebibyte;  // smaller files are committed in batches
constexpr size_t batch_files = 256;              // of at most this many (open files)

struct FileState {
  explicit FileState(const CopyJob& j)
      : job(j), parts(part_count(j.expected.size, j.expected.part_size)), parts_left(parts.size()) {}
  const CopyJob& job;
  std::mutex mutex;  // guards out
  std::unique_ptr<OutputFile> out;
  std::vector<Md5Digest> parts;
  std::atomic<size_t> parts_left;
  std::chrono::steady_clock::time_point started{};  // when its first part began
};

std::filesystem::path parent_of(const std::string& path) { return std::filesystem::path(path).parent_path(); }

struct WorkItem {
  size_t file;
  size_t part;
};

// What one worker does in one go: a part of a large file, or the small files of one folder
// (in order), so that two workers do not create files in the same folder at once (they
// would queue on the folder's lock in the kernel).
struct Unit {
  size_t begin, end;  // items_[begin, end)
};

constexpr size_t files_per_unit = 1000;

class ParallelCopy {
 public:
  ParallelCopy(const FileSystem& fs, const std::vector<CopyJob>& jobs, const SourceCheck& check_source,
               const std::function<void(size_t)>& on_bytes, const BeforeCommit& before_commit)
      : fs_(fs), check_source_(check_source), on_bytes_(on_bytes), before_commit_(before_commit) {
    for (const CopyJob& job : jobs) files_.push_back(std::make_unique<FileState>(job));
    for (size_t f = 0; f < files_.size(); ++f) {
      bool small = files_[f]->parts.size() == 1 && files_[f]->job.expected.size < batch_below;
      bool same_folder = small && !units_.empty() && f > 0 && small_unit_ &&
                         parent_of(files_[f - 1]->job.dest) == parent_of(files_[f]->job.dest) &&
                         units_.back().end - units_.back().begin < files_per_unit;
      for (size_t p = 0; p < files_[f]->parts.size(); ++p) {
        items_.push_back({f, p});
        if (same_folder) {
          units_.back().end = items_.size();
        } else {
          units_.push_back({items_.size() - 1, items_.size()});
        }
      }
      small_unit_ = small;
    }
  }

  Status run(unsigned workers) {
    Status copied = pool_.run(units_.size(), workers, [this](size_t u) -> Status {
      for (size_t i = units_[u].begin; i < units_[u].end && !pool_.stopping(); ++i) {
        TRY(copy_part(*files_[items_[i].file], items_[i].part));
      }
      return {};
    });
    if (copied) copied = commit_batch(batch_);
    files_.clear();  // removes the temporary files of anything left unfinished
    return copied;
  }

 private:
  // The folder of `dest`, made once per folder (not a stat of every path component per file).
  Status make_folder(const std::filesystem::path& folder) {
    {
      std::lock_guard lock(folders_mutex_);
      if (folders_.contains(folder)) return {};
    }
    TRY(fs_.create_directories(folder));
    std::lock_guard lock(folders_mutex_);
    folders_.insert(folder);
    return {};
  }

  // The copy's mtime as the job asks; a file system that refuses it keeps the bytes (verified)
  // with the time of writing, said once per file.
  static void keep_mtime(OutputFile& out, const CopyJob& job) {
    if (job.dest_mtime_ns <= 0) return;
    if (Status s = out.set_mtime(job.dest_mtime_ns); !s) {
      spdlog::warn("{}; it keeps the time of writing", s.error().message);
    }
  }

  Result<OutputFile*> output_of(FileState& file) {
    std::lock_guard lock(file.mutex);
    if (!file.out) {
      file.started = std::chrono::steady_clock::now();
      TRY(make_folder(parent_of(file.job.dest)));
      auto out = fs_.create_file(file.job.dest);
      if (!out) return std::unexpected(out.error());
      file.out = std::move(*out);
    }
    return file.out.get();
  }

  // Next bytes of the source: a mapped window when the file can be mapped, else a read.
  Result<std::span<const std::byte>> next_bytes(InputFile& input, size_t want,
                                                std::shared_ptr<const MappedBytes>& mapping,
                                                std::vector<std::byte>& buffer) {
    TRY_ASSIGN(mapped, input.map_next(want));
    if (mapped) {
      mapping = std::move(mapped);
      return mapping->bytes();
    }
    buffer.resize(want);
    TRY_ASSIGN(n, read_full(input, buffer));
    return std::span<const std::byte>(buffer).first(n);
  }

  Status copy_part(FileState& file, size_t part) {
    const CopyJob& job = file.job;
    uint64_t offset = part * job.expected.part_size;
    uint64_t length = std::min(job.expected.part_size, job.expected.size - offset);
    auto out = output_of(file);
    if (!out) return std::unexpected(out.error());
    auto input = fs_.open_read(job.source);
    if (!input) return fail(input.error(), job.key);
    (*input)->seek(offset);
    Md5 md5;
    std::shared_ptr<const MappedBytes> mapping;
    std::vector<std::byte> buffer;
    for (uint64_t done = 0; done < length;) {
      if (interrupted()) return fail(ErrorKind::interrupted, "interrupted");
      if (pool_.stopping()) return {};
      size_t want = static_cast<size_t>(std::min<uint64_t>(window, length - done));
      auto bytes = next_bytes(**input, want, mapping, buffer);
      if (!bytes) return fail(bytes.error(), job.key);
      if (bytes->empty()) return fail(job.key + ": source ended early; re-run checksum");
      TRY((*out)->write_at(offset + done, *bytes));
      md5.update(*bytes);
      done += bytes->size();
      if (on_bytes_) on_bytes_(bytes->size());
    }
    file.parts[part] = md5.finish();
    if (--file.parts_left > 0) return {};
    return finish_file(file);
  }

  // All parts are in: check what was written, then commit it under its final name.
  Status finish_file(FileState& file) {
    const CopyJob& job = file.job;
    std::lock_guard lock(file.mutex);
    std::string written = etag_from_part_digests(file.parts);
    if (written != job.expected.etag || (file.parts.size() == 1 && written != job.expected.md5)) {
      file.out.reset();
      return fail(job.key + ": bytes written have ETag " + written + ", the record says " + job.expected.etag +
                  " (MD5 " + job.expected.md5 + "); not kept");
    }
    if (Status s = check_source_(job); !s) {
      file.out.reset();
      return s;
    }
    keep_mtime(*file.out, job);
    if (job.expected.size >= batch_below) {
      const CopyJob* one = &job;
      Status committed = before_commit_(std::span(&one, 1));
      if (committed) committed = file.out->commit();
      file.out.reset();
      if (committed) log_copied(file);
      return committed;
    }
    return add_to_batch(file);
  }

  // Small files are committed in batches: one flush of the filesystem for many files, not
  // an fsync each (20,000 fsyncs cost more than copying 20,000 small files).
  Status add_to_batch(FileState& file) {
    std::vector<FileState*> full;
    {
      std::lock_guard lock(batch_mutex_);
      batch_.push_back(&file);
      if (batch_.size() < batch_files) return {};
      full.swap(batch_);
    }
    return commit_batch(full);
  }

  Status commit_batch(std::vector<FileState*>& files) {
    if (files.empty()) return {};
    std::vector<OutputFile*> outs;
    std::vector<const CopyJob*> jobs;
    for (FileState* f : files) {
      outs.push_back(f->out.get());
      jobs.push_back(&f->job);
    }
    Status committed = before_commit_(jobs);
    if (committed) committed = fs_.commit_all(outs);
    for (FileState* f : files) {
      if (committed) log_copied(*f);
      f->out.reset();  // removes the temporary file when the batch failed before its rename
    }
    return committed;
  }

  static void log_copied(const FileState& file) {
    log_with(spdlog::level::debug,
             {file.job.key, file.job.expected.size,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - file.started).count()},
             "copied and verified");
  }

  const FileSystem& fs_;
  const SourceCheck& check_source_;
  const std::function<void(size_t)>& on_bytes_;
  const BeforeCommit& before_commit_;
  std::vector<std::unique_ptr<FileState>> files_;
  std::vector<WorkItem> items_;
  std::vector<Unit> units_;
  bool small_unit_ = false;  // the last unit is one of small files (while building)
  std::mutex folders_mutex_;
  std::set<std::filesystem::path> folders_;
  WorkUnits pool_;
  std::mutex batch_mutex_;
  std::vector<FileState*> batch_;  // verified, waiting for their flush and rename
};

}  // namespace

Status copy_files(const FileSystem& fs, const std::vector<CopyJob>& jobs, unsigned workers,
                  const SourceCheck& check_source, const std::function<void(size_t)>& on_bytes,
                  const BeforeCommit& before_commit) {
  for (const CopyJob& job : jobs) {
    if (job.expected.part_size == 0) return fail(job.key + ": record has no part size; re-run checksum --rehash");
  }
  return ParallelCopy(fs, jobs, check_source, on_bytes, before_commit).run(std::max(1U, workers));
}

}  // namespace rawbackup
