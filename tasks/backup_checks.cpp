#include "tasks/backup_checks.h"

#include <atomic>
#include <optional>

#include "common/progress.h"
#include "common/rate_limiter.h"
#include "common/text.h"
#include "model/placement.h"

namespace rawbackup {
namespace {

Status check_local_backup(const Context& ctx, const RawFile& record, BackupChecks& into) {
  into.checked.push_back("local");
  if (record.backup_purged_at) {
    into.findings.push_back({"", BackupPlace::local, FindingState::missing,
                             "the local backup was purged at " + *record.backup_purged_at +
                                 " (purge --target backup): S3 holds the set"});
    return {};
  }
  if (!record.backup_base_path) {
    into.findings.push_back(
        {"", BackupPlace::local, FindingState::missing, "no local backup recorded (copy-local has not finished)"});
    return {};
  }
  Progress progress("verifying the local copy of " + record.id, record.size, ctx.tty);
  std::atomic<uint64_t> read{0};
  auto found = check_local(*ctx.fs, backup_base(*ctx.config, record), record, file_workers(*ctx.config), [&](size_t n) {
    read += n;
    progress.advance(n);
  });
  progress.finish();
  into.bytes_read += read;
  if (!found) return std::unexpected(found.error());
  into.findings.insert(into.findings.end(), found->begin(), found->end());
  return {};
}

// Where a local copy of the set is: the local backup, else the instrument folder (whose files
// a re-hash checks against the record's MD5 before trusting them).
std::filesystem::path local_copy_base(const Config& config, const RawFile& record) {
  if (has_local_backup(record)) return backup_base(config, record);
  auto instrument = config.instruments.find(record.instrument_id);
  return instrument == config.instruments.end() ? std::filesystem::path{} : instrument->second.path;
}

Status check_s3_backup(const Context& ctx, const RawFile& record, bool deep, BackupChecks& into) {
  into.checked.push_back(deep ? "s3 (deep)" : "s3");
  auto where = record.s3_upload_path ? parse_s3_url(*record.s3_upload_path) : std::nullopt;
  if (!where) {
    into.findings.push_back(
        {"", BackupPlace::s3, FindingState::missing, "no S3 backup recorded (upload-s3 has not finished)"});
    return {};
  }
  if (!ctx.objects)
    return fail(ErrorKind::usage, "the config has no backup.s3 section to reach " + *record.s3_upload_path);
  Progress progress("verifying " + record.id, deep ? record.size : 0, ctx.tty);
  std::optional<RateLimiter> limiter;
  if (ctx.config->s3->max_bandwidth) limiter.emplace(*ctx.config->s3->max_bandwidth);
  std::atomic<uint64_t> read{0};  // fetched and local re-hashes, from several threads
  auto count = [&](uint64_t n) {
    read += n;
    progress.advance(n);
  };
  S3CheckOptions check{deep, ctx.config->part_size(), ctx.config->s3->concurrency, count,
                       limiter ? &*limiter : nullptr};
  check.fs = ctx.fs;
  check.local_base = local_copy_base(*ctx.config, record);
  check.on_local_bytes = count;
  auto found = check_s3(ctx.objects(), record, *where, check);
  progress.finish();
  into.bytes_read += read;
  if (!found) return std::unexpected(found.error());
  into.findings.insert(into.findings.end(), found->begin(), found->end());
  return {};
}

}  // namespace

std::vector<const FileFinding*> BackupChecks::problems() const {
  std::vector<const FileFinding*> out;
  for (const FileFinding& f : findings) {
    if (!f.ok()) out.push_back(&f);
  }
  return out;
}

std::string BackupChecks::describe_problems(size_t at_most) const {
  std::vector<std::string> lines;
  for (const FileFinding* f : problems()) {
    if (lines.size() == at_most) {
      lines.push_back("…");
      break;
    }
    lines.push_back(std::string(to_string(f->backup)) + " " + (f->path.empty() ? "" : f->path + ": ") + f->detail);
  }
  return join(lines, "; ");
}

std::optional<FileInfo> files_noting_objects(const RawFile& record, const BackupChecks& checks) {
  FileInfo files = record.file_info;
  bool noted = false;
  for (const FileFinding& f : checks.findings) {
    auto entry = files.find(f.path);
    if (f.object_etag.empty() || entry == files.end() || entry->second.object_etag == f.object_etag) continue;
    entry->second.object_etag = f.object_etag;
    entry->second.object_part_size = f.object_part_size;
    entry->second.object_etag_kind = f.object_etag_kind;
    noted = true;
  }
  return noted ? std::optional(files) : std::nullopt;
}

Status check_backups(const Context& ctx, const RawFile& record, BackupPlan plan, bool deep, BackupChecks& into) {
  if (plan.local) TRY(check_local_backup(ctx, record, into));
  if (plan.s3) TRY(check_s3_backup(ctx, record, deep, into));
  return {};
}

}  // namespace rawbackup
