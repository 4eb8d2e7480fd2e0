#include "tasks/upload_s3.h"

#include <CLI/CLI.hpp>
#include <chrono>

#include "common/log.h"
#include "common/progress.h"
#include "common/text.h"
#include "integrity/etag.h"
#include "model/placement.h"
#include "tasks/batch.h"
#include "tasks/upload_plan.h"
#include "transfer/foreign_object.h"
#include "transfer/s3_set_listing.h"
#include "transfer/s3_upload_set.h"
#include "transfer/source_check.h"
#include "transfer/verify_checks.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

// Nothing to do under this config's backup_type.
struct UploadSkipped {
  std::string id;
  std::string reason;

  std::string outcome() const { return "skipped"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    return {{"id", id}, {"task", "upload-s3"}, {"outcome", outcome()}, {"reason", reason}};
  }
  std::string to_text() const { return "upload-s3 " + id + ": skipped (" + reason + ")"; }
};

TaskOutput skipped_output(const Context& ctx, const UploadS3Options& options) {
  std::string why = std::string("backup_type is ") + to_string(ctx.config->backup_type) + ", not s3";
  return output_of(UploadSkipped{options.id, why}, options.skip_exit_code);
}

// Records backup_status failed with `error`, and returns it.
std::unexpected<Error> record_failure(const Context& ctx, const std::string& id, const Error& error) {
  RecordChange change;
  change.backup_status = BackupStatus::failed;
  change.error = error.message;
  change.message = "upload failed: " + error.message;
  record_best_effort(ctx, id, change, "the failure");
  return std::unexpected(error);
}

// A refusal the settings fix (a bucket policy): the record's backup status goes back to what
// it was, with an event saying why; nothing about the backup changed.
std::unexpected<Error> settings_refused(const Context& ctx, const RawFile& record, const Error& error) {
  RecordChange change;
  change.backup_status = record.backup_status;
  change.message = "upload refused: " + error.message;
  record_best_effort(ctx, record.id, change, "the refusal");
  return std::unexpected(error);
}

Error bucket_error(const ObjectStore& store, const std::string& bucket, const s3::S3Error& e) {
  if (e.http_status == 404) {
    return {ErrorKind::failed,
            "bucket " + bucket + " does not exist (region " + store.region() + ", endpoint " + store.endpoint() + ")"};
  }
  if (e.http_status == 403) {
    std::string hint;
    if (e.code == "SignatureDoesNotMatch") hint = ": wrong secret key (check AWS_SECRET_ACCESS_KEY)";
    if (e.code == "InvalidAccessKeyId") hint = ": unknown access key (check AWS_ACCESS_KEY_ID)";
    if (e.code == "RequestTimeTooSkewed") hint = ": this machine's clock is off";
    return {ErrorKind::failed, "access to bucket " + bucket + " denied" + hint};
  }
  return s3_failure(e, "checking bucket " + bucket);
}

// Where an earlier upload put the set: placement is fixed once recorded, whatever happened to
// the record's project or created_at since (a re-hash after a restore, new content accepted).
std::optional<S3Location> recorded_s3_place(const RawFile& record) {
  return record.s3_upload_path ? parse_s3_url(*record.s3_upload_path) : std::nullopt;
}

UploadPlan plan_frame(const Context& ctx, const RawFile& record, const std::string& bucket) {
  UploadPlan plan;
  plan.bucket = bucket;
  auto recorded = recorded_s3_place(record);
  plan.prefix = recorded ? recorded->prefix : s3_key_prefix(record);
  plan.from_backup = has_local_backup(record);
  plan.source_base =
      plan.from_backup ? backup_base(*ctx.config, record) : ctx.config->instrument(record.instrument_id).path;
  return plan;
}

// Finds the set's objects (HEAD or listing): the plan says which to upload and which are
// already there.
Result<UploadPlan> make_plan(const Context& ctx, const RawFile& record, const std::string& bucket) {
  UploadPlan plan = plan_frame(ctx, record, bucket);
  TRY_ASSIGN(found, find_set_objects(ctx.objects(), bucket, plan.prefix, record.file_info));
  for (const auto& [key, entry] : record.file_info) {
    UploadItem item{key, {bucket, plan.prefix + key}, entry, Action::upload, {}};
    auto info = found.find(item.target.key);
    if (info != found.end() && info->second.size == entry.size && entry.allows_etag(info->second.etag)) {
      item.action = Action::skip;
    } else if (info != found.end()) {
      item.action = Action::replace;
      item.found = info->second;
    }
    if (item.action != Action::skip) {
      plan.bytes_to_upload += entry.size;
      ++plan.to_upload;
    }
    plan.items.push_back(std::move(item));
  }
  return plan;
}

// The verified local backup copy no longer matches the record (exit 4): the instrument's file
// is fine as far as we know, so the way out is to check and repair the copy.
Error bad_backup_copy(const RawFile& record, const fs::path& copy, const std::string& what) {
  return {ErrorKind::mismatch, "the local backup copy " + copy.string() + " does not match the record (" + what +
                                   "); run `rawbackup verify --local " + record.id +
                                   "` to check the backup, then `rawbackup copy-local --overwrite " + record.id +
                                   "` to repair it"};
}

// The source must still be what was checksummed: the instrument's file its recorded size and
// mtime (a conflict naming the way out otherwise); the backup copy, verified by copy-local
// and with an mtime of its own, its size (the uploaded bytes are checked against the record).
Status check_source(const Context& ctx, const RawFile& record, const UploadPlan& plan, const UploadItem& item) {
  fs::path source = plan.source_base / item.key;
  TRY_ASSIGN(change, source_change(*ctx.fs, source, item.entry));
  if (plan.from_backup) {
    if (change.missing || change.what.starts_with("size"))
      return std::unexpected(bad_backup_copy(record, source, change.what));
    return {};
  }
  if (change.missing) return fail(item.key + ": source " + source.string() + " is missing");
  if (!change.changed()) return {};
  change.what = item.key + ": " + change.what;
  return std::unexpected(changed_since_checksum(record, change, std::chrono::seconds(ctx.config->settle_seconds)));
}

// What bytes that differ from the record mean (found by the server's MD5 check, so the size and
// mtime had not changed): a bad backup copy to repair, or an instrument file changed since
// checksum (a conflict naming the way out).
std::function<Error(const std::string&)> differs_error(const Context& ctx, const RawFile& record,
                                                       const UploadPlan& plan, const fs::path& source) {
  if (plan.from_backup)
    return [&record, source](const std::string& detail) { return bad_backup_copy(record, source, detail); };
  auto settle = std::chrono::seconds(ctx.config->settle_seconds);
  return [&record, settle](const std::string& detail) {
    return changed_since_checksum(record, SourceChange{detail, 0, false}, settle);
  };
}

// How the bytes move: the command line's settings, else the config's.
struct Transfer {
  unsigned concurrency = 4;
  std::optional<uint64_t> max_bandwidth;
};

// The command line's --max-bandwidth, when given; kind usage when it is not a rate.
Result<std::optional<uint64_t>> bandwidth_option(const UploadS3Options& options) {
  if (options.max_bandwidth.empty()) return std::optional<uint64_t>{};
  auto rate = parse_rate(options.max_bandwidth);
  if (!rate) return fail(ErrorKind::usage, "--max-bandwidth: not a rate like 50MB/s: " + options.max_bandwidth);
  return rate;
}

Transfer transfer_settings(const S3Config& config, const UploadS3Options& options, std::optional<uint64_t> bandwidth) {
  return Transfer{options.concurrency ? options.concurrency : config.concurrency,
                  bandwidth ? bandwidth : config.max_bandwidth};
}

// Keeps the record's s3_uploads (key → upload ID of an unfinished multipart upload) in step
// with the uploads, so that a run that dies leaves what the next one resumes.
UploadSetOptions::UploadIdListener upload_id_recorder(const Context& ctx, const RawFile& record) {
  auto uploads = std::make_shared<std::map<std::string, std::string>>(record.s3_uploads);
  return [&ctx, uploads, id = record.id](const UploadJob& job, const std::string& upload_id) {
    if (upload_id.empty()) {
      uploads->erase(job.target.key);
    } else {
      (*uploads)[job.target.key] = upload_id;
    }
    RecordChange change;
    change.s3_uploads = *uploads;
    record_best_effort(ctx, id, change, "the upload ID");
  };
}

Result<UploadSetResult> upload_all(const Context& ctx, const RawFile& record, const UploadPlan& plan,
                                   const Transfer& transfer, Progress& progress) {
  std::vector<UploadJob> jobs;
  for (const UploadItem& item : plan.items) {
    if (item.action == Action::skip || item.action == Action::adopt) continue;
    TRY(check_source(ctx, record, plan, item));
    if (item.action == Action::replace) {
      spdlog::warn("s3://{}/{} differs from the record (S3 has ETag {} ({} bytes), the record {}); uploading it again",
                   plan.bucket, item.target.key, item.found.etag, item.found.size, item.entry.etag);
    }
    auto resume = record.s3_uploads.find(item.target.key);
    fs::path source = plan.source_base / item.key;
    jobs.push_back({item.target, source, item.entry, resume == record.s3_uploads.end() ? "" : resume->second,
                    differs_error(ctx, record, plan, source)});
  }
  UploadSetOptions options;
  options.concurrency = transfer.concurrency;
  std::optional<RateLimiter> limiter;
  if (transfer.max_bandwidth) options.limiter = &limiter.emplace(*transfer.max_bandwidth);
  options.fallback_part_size = ctx.config->part_size();
  options.on_bytes = [&](uint64_t n) { progress.advance(n); };
  options.on_upload_id = upload_id_recorder(ctx, record);
  return upload_files(ctx.objects(), *ctx.fs, jobs, options);
}

struct UploadDryRun {
  const RawFile& record;
  const UploadPlan& plan;

  std::string outcome() const { return "dry-run"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    nlohmann::json j{{"id", record.id},
                     {"task", "upload-s3"},
                     {"outcome", outcome()},
                     {"bucket", plan.bucket},
                     {"prefix", plan.prefix},
                     {"source", plan.source_base.string()},
                     {"files", nlohmann::json::array()}};
    for (const UploadItem& item : plan.items) {
      j["files"].push_back({{"path", item.key}, {"action", to_string(item.action)}, {"bytes", item.entry.size}});
    }
    return j;
  }
  std::string to_text() const {
    std::string text = "upload-s3 " + record.id + " (dry run) → " + plan.url() + " from " + plan.source_base.string();
    for (const UploadItem& item : plan.items) {
      bool may_adopt = item.action == Action::replace && !foreign_candidates(item.entry, item.found).empty();
      text += std::string("\n  ") + to_string(item.action) + "  " + item.key +
              (may_adopt ? "  (or adopt: its ETag fits another tool's part size; a re-hash decides)" : "");
    }
    return text;
  }
};

struct UploadResult {
  const RawFile& record;
  const UploadPlan& plan;
  double seconds = 0;

  std::string outcome() const { return "done"; }
  uint64_t bytes_moved() const { return plan.bytes_to_upload; }
  size_t skipped() const { return plan.items.size() - plan.to_upload - plan.adopted; }
  nlohmann::json to_json() const {
    return {
        {"id", record.id},       {"task", "upload-s3"},           {"outcome", outcome()}, {"uploaded", plan.to_upload},
        {"skipped", skipped()},  {"bytes", plan.bytes_to_upload}, {"seconds", seconds},   {"bucket", plan.bucket},
        {"prefix", plan.prefix}, {"adopted", plan.adopted}};
  }
  std::string to_text() const {
    return "upload-s3 " + record.id + ": done, uploaded " + std::to_string(plan.to_upload) + " file(s) (" +
           format_bytes(plan.bytes_to_upload) + "), skipped " + std::to_string(skipped()) + " already there, " +
           (plan.adopted ? "adopted " + std::to_string(plan.adopted) + " uploaded by another tool, " : "") + "in " +
           format_duration(seconds) + " → " + plan.url();
  }
};

// Interrupted runs and network failures keep their multipart uploads for the next run.
Error resumable_error(Error e) {
  if (e.kind == ErrorKind::interrupted)
    e.message = "interrupted, resumable (" + e.message + ")";
  else if (e.transient)
    e.message += " (resumable: a re-run continues the upload)";
  return e;
}

// After a successful run, upload IDs the record still keeps belong to objects this run found
// complete (a run killed between CompleteMultipartUpload and its record update; found by
// integration/crash_test.sh): aborted if S3 still has them, and forgotten.
void forget_finished_uploads(const Context& ctx, const RawFile& record, const UploadPlan& plan) {
  bool stale = false;
  for (const UploadItem& item : plan.items) {
    auto kept = record.s3_uploads.find(item.target.key);
    if (item.action != Action::skip || kept == record.s3_uploads.end()) continue;
    abort_upload(ctx.objects(), item.target, kept->second);
    stale = true;
  }
  if (!stale) return;
  RecordChange change;
  change.s3_uploads = std::map<std::string, std::string>{};
  record_best_effort(ctx, record.id, change, "the finished uploads");
}

Result<TaskOutput> upload_and_record(const Context& ctx, const RawFile& record, const UploadPlan& plan,
                                     const Transfer& transfer, std::chrono::steady_clock::time_point start) {
  bool already_done = plan.to_upload == 0 && plan.adopted == 0 && record.backup_status == BackupStatus::done &&
                      record.s3_upload_path == plan.url();
  if (!already_done) {
    spdlog::info("uploading {} of {} file(s) ({}) to {} from {} {}", plan.to_upload, plan.items.size(),
                 format_bytes(plan.bytes_to_upload), plan.url(),
                 plan.from_backup ? "the verified local backup" : "the instrument folder (copy-local has not finished)",
                 plan.source_base.string());
    RecordChange started;
    started.backup_status = BackupStatus::in_progress;
    started.message = "uploading " + std::to_string(plan.to_upload) + " file(s) to " + plan.url();
    TRY(ctx.store->update(record.id, started));
  }
  Progress progress("uploading", plan.bytes_to_upload, ctx.tty);
  auto uploaded = upload_all(ctx, record, plan, transfer, progress);
  progress.finish();
  if (!uploaded && uploaded.error().kind == ErrorKind::usage) return settings_refused(ctx, record, uploaded.error());
  if (!uploaded) return record_failure(ctx, record.id, resumable_error(uploaded.error()));
  forget_finished_uploads(ctx, record, plan);
  if (uploaded->parts_kept > 0) {
    spdlog::info("resumed: {} part(s) already in S3 were kept, {} sent", uploaded->parts_kept, uploaded->parts_sent);
  }
  if (!already_done) {
    RecordChange end;
    end.backup_status = BackupStatus::done;
    end.error = std::optional<std::string>{};
    end.s3_upload_path = plan.url();
    end.message = "verified " + std::to_string(plan.items.size()) + " object(s) in " + plan.url();
    if (plan.adopted > 0) {
      end.message += ", " + std::to_string(plan.adopted) + " uploaded by another tool adopted (same bytes, re-hashed)";
    }
    if (!uploaded->opaque_etags.empty()) {
      end.message += ", " + std::to_string(uploaded->opaque_etags.size()) +
                     " encrypted with an opaque ETag (bytes checked by the server against Content-MD5)";
    }
    if (FileInfo files = files_after_upload(record, plan, uploaded->opaque_etags); files != record.file_info) {
      end.file_info = std::move(files);
    }
    TRY(ctx.store->update(record.id, end));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return output_of(UploadResult{record, plan, seconds});
}

// Bucket name and HeadBucket, before the record's status is touched.
Result<std::string> checked_bucket(const Context& ctx, const RawFile& record, bool dry_run) {
  auto recorded = recorded_s3_place(record);
  auto bucket = recorded ? Result<std::string>(recorded->bucket) : s3_bucket(*ctx.config->s3, record);
  if (!bucket) return dry_run ? std::unexpected(bucket.error()) : record_failure(ctx, record.id, bucket.error());
  if (auto head = ctx.objects().head_bucket(*bucket); !head) {
    Error e = bucket_error(ctx.objects(), *bucket, head.error());
    // A config problem (a bucket in another region) leaves the record as it is.
    return dry_run || e.kind == ErrorKind::usage ? std::unexpected(e) : record_failure(ctx, record.id, e);
  }
  return bucket;
}

// The run under its lock: `ctx` is the fenced one (HeldRecord::fenced).
Result<TaskOutput> upload_held(const Context& ctx, const HeldRecord& held, const UploadS3Options& options,
                               const Transfer& transfer, std::chrono::steady_clock::time_point start) {
  const RawFile* record = &held.record;
  TRY_ASSIGN(bucket, checked_bucket(ctx, *record, options.dry_run));
  auto plan = make_plan(ctx, *record, bucket);
  if (!plan) return options.dry_run ? std::unexpected(plan.error()) : record_failure(ctx, options.id, plan.error());
  if (options.dry_run) return output_of(UploadDryRun{*record, *plan});
  if (Status adopted = adopt_foreign_objects(ctx, *plan); !adopted)
    return record_failure(ctx, options.id, adopted.error());
  return upload_and_record(ctx, *record, *plan, transfer, start);
}

}  // namespace

Result<TaskOutput> run_upload_s3(const Context& ctx, const UploadS3Options& options) {
  auto start = std::chrono::steady_clock::now();
  set_log_context("upload-s3", options.id);
  auto bandwidth = bandwidth_option(options);  // a bad option is an error even where the task skips
  if (!bandwidth) return std::unexpected(bandwidth.error());
  if (ctx.config->backup_type != BackupType::s3 || !ctx.objects) return skipped_output(ctx, options);
  Transfer transfer = transfer_settings(*ctx.config->s3, options, *bandwidth);
  auto held = hold_checksummed_record(ctx, options.id, !options.dry_run);
  if (!held) return std::unexpected(held.error());
  return upload_held(held->fenced(ctx), *held, options, transfer, start);
}

TaskRunner bind_upload_s3(CLI::App& command) {
  auto options = std::make_shared<UploadS3Options>();
  command.add_flag("--dry-run", options->dry_run, "Only HEAD requests: show what would be uploaded or skipped");
  command
      .add_option("--skip-exit-code", options->skip_exit_code,
                  "Exit code when backup_type is not s3 (e.g. 99 for Airflow's skip_on_exit_code)")
      ->check(CLI::Range(0, 255));
  command
      .add_option("--concurrency", options->concurrency,
                  "Parallel requests (parts and files); default backup.s3.concurrency (4)")
      ->check(CLI::Range(1, 64));
  command.add_option("--max-bandwidth", options->max_bandwidth,
                     "Cap on the bytes sent per second, e.g. 50MB/s; default backup.s3.max_bandwidth");
  auto selection = std::make_shared<Selection>();
  add_selection_options(command, *selection, "Raw file ids (checksummed)");
  return per_selected_id("upload-s3", options, selection, &run_upload_s3);
}

}  // namespace rawbackup
