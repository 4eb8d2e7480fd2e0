// `purge --target backup`: the local backup folder's retention (run_purge_backup in purge.h).
#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/text.h"
#include "model/placement.h"
#include "tasks/backup_checks.h"
#include "tasks/purge.h"
#include "tasks/purge_result.h"

namespace rawbackup {
namespace {

// One purge of one record's local backup: the rules as checks, in order.
class BackupPurge {
 public:
  BackupPurge(const Context& ctx, const PurgeOptions& options, const RawFile& record, std::function<Status()> fence)
      : ctx_(ctx),
        options_(options),
        record_(record),
        fence_(std::move(fence)),
        verdict_(record.id, "backup", options.dry_run, options.verbose),
        result_(verdict_.result) {}

  Result<TaskOutput> run() {
    if (!record_.backup_base_path) {
      verdict_.result.verdict = "unchanged";
      verdict_.result.reason = "no local backup recorded (copy-local has not finished): nothing to delete";
      verdict_.add_check("local backup", CheckState::ok, "none recorded");
      return output_of(result_);
    }
    TRY_ASSIGN(copy, inspect_backup_copy(*ctx_.fs, backup_base(*ctx_.config, record_), record_));
    result_.copy = std::move(copy);
    sort_aside_copies();
    if (record_.backup_purged_at) return finish_purged_before();
    check_s3_done();
    if (verdict_.going_on()) check_age();
    if (verdict_.going_on()) check_backup_copy();
    if (verdict_.going_on()) TRY(check_s3_now());
    if (options_.dry_run) return output_of(result_, verdict_.exit_code);
    if (result_.verdict == "refused") return refused();
    TRY(delete_aside());
    if (result_.verdict == "kept") {
      spdlog::info("kept: {}", result_.reason);
      return output_of(result_, verdict_.exit_code);
    }
    return delete_and_record();
  }

 private:
  // .N.bkp copies past their own minimum age (since they were moved aside) go; younger stay.
  void sort_aside_copies() {
    double min_days = options_.aside_min_age_days.value_or(static_cast<double>(ctx_.config->aside_min_age_days));
    for (const AsideCopy& c : result_.copy.aside) {
      auto moved_at = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(c.changed_ns)));
      if (days_since(moved_at) >= min_days) {
        result_.aside_due.push_back(c);
      } else {
        ++result_.aside_kept;
      }
    }
  }

  // The record says the folder is no longer the set's backup: what is left of it goes (an
  // interrupted run's), as found, without proving anything again.
  Result<TaskOutput> finish_purged_before() {
    verdict_.add_check("local backup", CheckState::ok, "purged at " + *record_.backup_purged_at);
    if (result_.copy.present.empty() && result_.copy.folders.empty() && result_.copy.matches()) {
      if (result_.aside_due.empty()) result_.verdict = "unchanged";
      if (!options_.dry_run) TRY(delete_aside());
      return output_of(result_);
    }
    check_backup_copy();
    if (options_.dry_run) return output_of(result_, verdict_.exit_code);
    if (result_.verdict == "refused") return refused();
    TRY(delete_aside());
    TRY(delete_files());
    RecordChange change;
    change.message = "local backup purge finished: " + freed_text();
    TRY(ctx_.store->update(record_.id, change));
    return output_of(result_);
  }

  void check_s3_done() {
    if (has_s3_backup(record_) && record_.backup_status == BackupStatus::done) {
      verdict_.add_check("s3 backup recorded", CheckState::ok, *record_.s3_upload_path);
      return;
    }
    std::string why = std::string("no finished S3 backup recorded (backup_status ") +
                      to_string(record_.backup_status) + "): the local backup stays until upload-s3 has finished " +
                      "and verify passes";
    verdict_.add_check("s3 backup recorded", CheckState::failed, why);
    verdict_.stop("refused", exit_codes::mismatch, why);
  }

  void check_age() {
    double min_days = options_.min_age_days.value_or(static_cast<double>(ctx_.config->backup_min_age_days));
    auto days = days_since(record_.created_at);
    std::string detail =
        "acquired " + days_text(days.value_or(0.0)) + " day(s) ago, minimum " + days_text(min_days);
    if (days && *days >= min_days) {
      verdict_.add_check("age", CheckState::ok, detail);
      return;
    }
    verdict_.add_check("age", CheckState::failed, detail);
    verdict_.stop("kept", options_.skip_exit_code,
                  "too young: " + detail + " (--min-age or purge.backup_min_age_days); the local backup stays");
  }

  void check_backup_copy() {
    const SetCopy& copy = result_.copy;
    std::string counts = std::to_string(copy.present.size()) + " file(s) as recorded" +
                         (copy.gone.empty() ? "" : ", " + std::to_string(copy.gone.size()) + " already gone");
    if (copy.matches()) {
      verdict_.add_check("backup copy", CheckState::ok, counts);
      return;
    }
    std::vector<std::string> why = copy.differing;
    for (const std::string& e : copy.extra) why.push_back(e + ": not a file of the record");
    std::string shown = join(std::vector(why.begin(), why.begin() + std::min<size_t>(why.size(), 3)), "; ") +
                        (why.size() > 3 ? "; …" : "");
    verdict_.add_check("backup copy", CheckState::failed, shown);
    verdict_.stop("refused", exit_codes::conflict,
                  "the backup folder " + copy.root.string() + " is not what the record lists (" + shown +
                      "); nothing is deleted there until a person looks (`rawbackup verify --local " + record_.id +
                      "`)");
  }

  // The deep verify of the S3 backup: every object read back and hashed.
  Status check_s3_now() {
    BackupChecks checks;
    TRY(check_backups(ctx_, record_, BackupPlan{false, true}, true, checks));
    if (checks.problems().empty()) {
      verdict_.add_check("s3 backup", CheckState::ok, "verified now (deep: every byte read back)");
      noted_files_ = files_noting_objects(record_, checks);
      return {};
    }
    verify_failure_ = "verify failed: " + checks.describe_problems(3);
    verdict_.add_check("s3 backup", CheckState::failed,
                       std::to_string(checks.problems().size()) + " problem(s)");
    verdict_.stop("refused", exit_codes::mismatch,
                  verify_failure_ + "; the local backup stays while the S3 backup is missing or differs");
    return {};
  }

  // A refusal is recorded: a failed S3 verify as verify records it (attention, with the
  // error), another as an event. Nothing was deleted.
  Result<TaskOutput> refused() {
    spdlog::error("purge --target backup refused: {}", result_.reason);
    RecordChange change;
    change.message = "local backup purge refused: " + result_.reason;
    if (!verify_failure_.empty()) {
      change.error = verify_failure_;
      change.backup_status = BackupStatus::attention;
    }
    record_best_effort(ctx_, record_.id, change, "the refusal");
    return output_of(result_, verdict_.exit_code);
  }

  Status delete_aside() {
    if (result_.aside_due.empty()) return {};
    spdlog::info("deleting {} .bkp cop(ies) past their minimum age from {}", result_.aside_due.size(),
                 result_.copy.root.string());
    Status deleted = delete_aside_copies(*ctx_.fs, result_.copy.root, result_.aside_due, result_.aside_deleted, fence_);
    if (!deleted) return fail(deleted.error(), "deleting .bkp copies");
    RecordChange change;
    change.message = "deleted " + std::to_string(result_.aside_deleted.files) + " .bkp cop(ies), " +
                     format_bytes(result_.aside_deleted.bytes) + " from " + result_.copy.root.string() +
                     " (moved aside by copy-local --overwrite; past their minimum age)";
    record_best_effort(ctx_, record_.id, change, "the .bkp deletion");
    return {};
  }

  Status delete_files() {
    if (!result_.copy.present.empty())
      spdlog::info("deleting {} file(s), {} from {}", result_.copy.present.size(),
                   format_bytes(result_.copy.present_bytes), result_.copy.root.string());
    Status deleted = delete_set_copy(*ctx_.fs, record_, result_.copy, result_.deleted, fence_);
    if (deleted) return {};
    RecordChange change;
    change.message = "local backup purge stopped after deleting " + std::to_string(result_.deleted.files) + " of " +
                     std::to_string(result_.copy.present.size()) + " file(s): " + deleted.error().message +
                     "; a re-run finishes";
    record_best_effort(ctx_, record_.id, change, "the stop");
    return deleted;
  }

  std::string freed_text() const {
    return std::to_string(result_.deleted.files) + " file(s), " + format_bytes(result_.deleted.bytes) +
           " freed from " + result_.copy.root.string() +
           (result_.copy.gone.empty() ? "" : ", " + std::to_string(result_.copy.gone.size()) + " already gone");
  }

  // backup_purged_at first: from the first unlink on, the folder is not the set's backup.
  Result<TaskOutput> delete_and_record() {
    RecordChange start;
    std::string now = now_utc();
    start.backup_purged_at = now;
    start.last_verified_at = now;
    start.file_info = noted_files_;  // objects another tool uploaded, proven by a re-hash
    start.message = "purging the local backup in " + result_.copy.root.string() + " (" +
                    std::to_string(result_.copy.present.size()) + " file(s), " +
                    format_bytes(result_.copy.present_bytes) + "); S3 verified deep: " + *record_.s3_upload_path;
    TRY(ctx_.store->update(record_.id, start));
    TRY(delete_files());
    RecordChange done;
    done.message = "local backup purged: " + freed_text();
    TRY(ctx_.store->update(record_.id, done));
    return output_of(result_);
  }

  const Context& ctx_;
  const PurgeOptions& options_;
  const RawFile& record_;
  std::function<Status()> fence_;  // before each unlink: the lease still holds
  PurgeVerdict verdict_;
  PurgeResult& result_;                  // verdict_'s
  std::string verify_failure_;           // "verify failed: …" when the S3 backup did not verify
  std::optional<FileInfo> noted_files_;  // the record's files noting objects another tool uploaded
};

}  // namespace

Result<TaskOutput> run_purge_backup(const Context& ctx, const PurgeOptions& options) {
  set_log_context("purge", options.id);
  if (ctx.config->backup_type != BackupType::s3 || !ctx.config->s3) {
    return fail(ErrorKind::usage,
                "purge --target backup needs backup_type: s3 and a backup.s3 section: the local backup goes only "
                "when S3 holds the set");
  }
  if (!options.require.empty()) {
    return fail(ErrorKind::usage, "--require is for the instrument copy; --target backup always verifies S3 (deep)");
  }
  TRY_ASSIGN(held, hold_checksummed_record(ctx, options.id, !options.dry_run));
  Context run = held.fenced(ctx);
  return BackupPurge(run, options, held.record, fence_of(held.lock.get())).run();
}

}  // namespace rawbackup
