#include "tasks/purge.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "common/log.h"
#include "common/progress.h"
#include "common/text.h"
#include "tasks/backup_checks.h"
#include "tasks/batch.h"
#include "tasks/purge_result.h"

namespace rawbackup {
namespace {

// The backups purge requires: --require, else what backup_type says (s3: the local copy too,
// since backup_type s3 means copy-local then upload-s3).
Result<BackupPlan> required_backups(const Config& config, const std::string& require) {
  std::string wanted = !require.empty() ? require : config.backup_type == BackupType::s3 ? "both" : "local";
  BackupPlan plan{wanted != "s3", wanted != "local"};
  if (plan.s3 && !config.s3) {
    return fail(ErrorKind::usage, "purge --require " + wanted + " needs a backup.s3 section in the config");
  }
  return plan;
}

// One purge of one record: the rules as checks, in order; a real run stops at the first that
// fails, a dry run makes them all.
class Purge {
 public:
  Purge(const Context& ctx, const PurgeOptions& options, const RawFile& record, std::function<Status()> fence)
      : ctx_(ctx),
        options_(options),
        record_(record),
        fence_(std::move(fence)),
        verdict_(record.id, "instrument", options.dry_run, options.verbose),
        result_(verdict_.result) {}

  // `deep_s3`: S3 checked with ranged GETs (the only backup left once the local one is purged).
  Result<TaskOutput> run(const InstrumentConfig& instrument, BackupPlan plan, bool deep_s3) {
    deep_s3_ = deep_s3;
    TRY_ASSIGN(copy, inspect_instrument_copy(*ctx_.fs, instrument, record_));
    result_.copy = std::move(copy);
    if (record_.purged_at && result_.copy.present.empty() && result_.copy.matches()) {
      result_.verdict = "unchanged";
      add_check("instrument copy", CheckState::ok, "purged at " + *record_.purged_at);
      return output_of(result_);
    }
    check_backed_up();
    if (going_on()) check_age();
    if (going_on()) check_instrument_copy();
    if (going_on()) TRY(check_backups_now(plan));
    if (going_on() && options_.deep) TRY(reread_instrument());
    if (options_.dry_run || result_.verdict != "purged") return finish();
    return delete_and_record();
  }

 private:
  bool going_on() const { return verdict_.going_on(); }
  void add_check(std::string name, CheckState state, std::string detail) {
    verdict_.add_check(std::move(name), state, std::move(detail));
  }
  void stop(const std::string& verdict, int code, const std::string& reason) { verdict_.stop(verdict, code, reason); }

  void check_backed_up() {
    if (record_.backup_status == BackupStatus::done) {
      add_check("backed up", CheckState::ok, "backup_status done");
      return;
    }
    std::string why = std::string("backup_status is ") + to_string(record_.backup_status) +
                      ": nothing is purged before its backup is done";
    add_check("backed up", CheckState::failed, why);
    stop("refused", exit_codes::mismatch, why);
  }

  // The age is the acquisition's, or the last restore's that brought a purged set back to its
  // instrument (someone wants it there again: it stays as long as a new acquisition would).
  void check_age() {
    double min_days = options_.min_age_days.value_or(static_cast<double>(ctx_.config->purge_min_age_days));
    std::string since = "acquired ";
    auto created = parse_utc(record_.created_at);
    auto restored = last_restore_to_instrument();
    if (!restored) {  // never purge a set someone may just have brought back
      add_check("age", CheckState::failed, restored.error().message);
      stop("refused", exit_code_for(restored.error().kind), "cannot read the history: " + restored.error().message);
      return;
    }
    if (*restored && created && **restored > *created) {
      created = *restored;
      since = "restored to the instrument ";
    }
    double days = created ? std::chrono::duration<double>(Clock::now() - *created).count() / 86400.0 : 0.0;
    std::string detail = since + days_text(days) + " day(s) ago, minimum " + days_text(min_days);
    if (created && days >= min_days) {
      add_check("age", CheckState::ok, detail);
      return;
    }
    add_check("age", CheckState::failed, detail);
    stop("kept", options_.skip_exit_code,
         "too young: " + detail + " (--min-age or purge.min_age_days); the instrument copy stays");
  }

  // When a restore last cleared purged_at (its event in the history), if it did.
  Result<std::optional<Clock::time_point>> last_restore_to_instrument() const {
    if (record_.purged_at) return std::nullopt;
    TRY_ASSIGN(events, ctx_.store->history(record_.id));
    for (auto e = events.rbegin(); e != events.rend(); ++e) {
      if (e->field == "purged_at" && !e->to) return parse_utc(e->at);
    }
    return std::nullopt;
  }

  void check_instrument_copy() {
    const SetCopy& copy = result_.copy;
    std::string counts = std::to_string(copy.present.size()) + " file(s) as recorded" +
                         (copy.gone.empty() ? "" : ", " + std::to_string(copy.gone.size()) + " already gone");
    if (copy.matches()) {
      add_check("instrument copy", CheckState::ok, counts);
      return;
    }
    std::vector<std::string> why;
    if (!copy.differing.empty()) {
      why.push_back(std::to_string(copy.differing.size()) + " file(s) differ from the record (" + copy.differing[0] +
                    (copy.differing.size() > 1 ? ", …" : "") + ")");
    }
    if (!copy.extra.empty()) {
      why.push_back(
          std::to_string(copy.extra.size()) + " entr(ies) of the set the record does not list (" +
          join(std::vector(copy.extra.begin(), copy.extra.begin() + std::min<size_t>(copy.extra.size(), 3)), ", ") +
          (copy.extra.size() > 3 ? ", …" : "") + ")");
    }
    std::string reason = join(why, "; ") + ": the record no longer describes the instrument copy; run `rawbackup " +
                         "checksum --rehash --instrument " + record_.instrument_id + " " + record_.id + "` to see";
    add_check("instrument copy", CheckState::failed, join(why, "; "));
    stop("refused", exit_codes::conflict, reason);
  }

  Status check_backups_now(BackupPlan plan) {
    BackupChecks checks;
    TRY(check_backups(ctx_, record_, plan, options_.deep || deep_s3_, checks));
    for (const std::string& what : checks.checked) {
      BackupPlace place = what == "local" ? BackupPlace::local : BackupPlace::s3;
      size_t bad = 0;
      for (const FileFinding* f : checks.problems()) bad += f->backup == place ? 1 : 0;
      add_check(what + " backup", bad == 0 ? CheckState::ok : CheckState::failed,
                bad == 0 ? "verified now" : std::to_string(bad) + " problem(s)");
    }
    if (checks.problems().empty()) {
      verified_ = join(checks.checked, ", ");
      noted_files_ = files_noting_objects(record_, checks);
      return {};
    }
    std::string why = "verify failed: " + checks.describe_problems(3);
    stop("refused", exit_codes::mismatch, why + "; nothing is purged while a backup is missing or differs");
    verify_failure_ = why;
    return {};
  }

  Status reread_instrument() {
    Progress progress("re-reading the instrument copy of " + record_.id, result_.copy.present_bytes, ctx_.tty);
    size_t differing = result_.copy.differing.size();
    Status read = reread_set_copy(*ctx_.fs, record_, result_.copy, [&](size_t n) { progress.advance(n); });
    progress.finish();
    TRY(read);
    if (result_.copy.differing.size() == differing) {
      add_check("instrument content", CheckState::ok, "MD5 re-read");
      return {};
    }
    add_check("instrument content", CheckState::failed, result_.copy.differing.back());
    stop("refused", exit_codes::conflict,
         "the instrument copy's content differs from the record (" + result_.copy.differing.back() + ")");
    return {};
  }

  // A real run's refusal is recorded: a failed verify as verify records it (with the error),
  // a differing instrument copy as an event. A set kept for its age records nothing.
  Result<TaskOutput> finish() {
    if (!options_.dry_run && result_.verdict == "refused") {
      spdlog::error("purge refused: {}", result_.reason);
      RecordChange change;
      change.message = "purge refused: " + result_.reason;
      if (!verify_failure_.empty()) change.error = verify_failure_;
      record_best_effort(ctx_, record_.id, change, "the refusal");
    } else if (result_.verdict == "kept") {
      spdlog::info("kept: {}", result_.reason);
    }
    return output_of(result_, verdict_.exit_code);
  }

  Result<TaskOutput> delete_and_record() {
    spdlog::info("deleting {} file(s), {} from {}", result_.copy.present.size(),
                 format_bytes(result_.copy.present_bytes), result_.copy.root.string());
    Status deleted = delete_set_copy(*ctx_.fs, record_, result_.copy, result_.deleted, fence_);
    if (!deleted) {
      RecordChange change;
      change.message = "purge stopped after deleting " + std::to_string(result_.deleted.files) + " of " +
                       std::to_string(result_.copy.present.size()) + " file(s): " + deleted.error().message +
                       "; a re-run finishes";
      record_best_effort(ctx_, record_.id, change, "the stop");
      return std::unexpected(deleted.error());
    }
    RecordChange change;
    std::string now = now_utc();
    change.purged_at = now;
    change.last_verified_at = now;
    change.file_info = noted_files_;  // objects another tool uploaded, proven by a re-hash
    change.message =
        "purged: " + std::to_string(result_.deleted.files) + " file(s), " + format_bytes(result_.deleted.bytes) +
        " freed from " + result_.copy.root.string() +
        (result_.copy.gone.empty() ? "" : ", " + std::to_string(result_.copy.gone.size()) + " already gone") +
        "; backups verified: " + verified_;
    TRY(ctx_.store->update(record_.id, change));
    return output_of(result_);
  }

  const Context& ctx_;
  const PurgeOptions& options_;
  const RawFile& record_;
  std::function<Status()> fence_;  // before each unlink: the lease still holds
  PurgeVerdict verdict_;
  PurgeResult& result_;  // verdict_'s
  bool deep_s3_ = false;
  std::string verified_;                 // the backups verified in this run ("local, s3")
  std::string verify_failure_;           // "verify failed: …" when a backup did not verify
  std::optional<FileInfo> noted_files_;  // the record's files noting objects another tool uploaded
};

}  // namespace

Result<TaskOutput> run_purge(const Context& ctx, const PurgeOptions& options) {
  if (options.target == "backup") return run_purge_backup(ctx, options);
  set_log_context("purge", options.id);
  TRY_ASSIGN(plan, required_backups(*ctx.config, options.require));
  TRY_ASSIGN(held, hold_checksummed_record(ctx, options.id, !options.dry_run));
  bool deep_s3 = false;
  if (held.record.backup_purged_at && options.require.empty() && plan.local) {
    plan = BackupPlan{false, true};  // S3 holds the only backup left: it is read back whole
    deep_s3 = true;
  }
  const InstrumentConfig& instrument = ctx.config->instrument(held.record.instrument_id);
  Context run = held.fenced(ctx);
  return Purge(run, options, held.record, fence_of(held.lock.get())).run(instrument, plan, deep_s3);
}

TaskRunner bind_purge(CLI::App& command) {
  auto options = std::make_shared<PurgeOptions>();
  command
      .add_option("--target", options->target,
                  "What to delete: instrument (the acquisition's copy) or backup (the local backup, once S3 holds "
                  "the set; needs backup_type s3)")
      ->check(CLI::IsMember({"instrument", "backup"}));
  command
      .add_option("--min-age", options->min_age_days,
                  "Keep sets acquired fewer days ago; default purge.min_age_days (14), --target backup: "
                  "purge.backup_min_age_days (90)")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--bkp-min-age", options->aside_min_age_days,
                  "--target backup: keep .N.bkp copies moved aside fewer days ago; default purge.bkp_min_age_days (30)")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--require", options->require,
                  "Backups to verify now: local, s3 or both; default: backup_type's (s3: both)")
      ->check(CLI::IsMember({"local", "s3", "both"}));
  command.add_flag("--deep", options->deep,
                   "Also re-read the instrument copy's MD5; S3: ranged GETs instead of ETags (--target backup: always)");
  command.add_flag("--dry-run", options->dry_run,
                   "Make every check and list what would be deleted; delete and record nothing");
  command
      .add_option("--skip-exit-code", options->skip_exit_code,
                  "Exit code of a set kept because it is too young (e.g. 99 for Airflow's skip_on_exit_code)")
      ->check(CLI::Range(0, 255));
  command.add_flag("--verbose", options->verbose, "With --dry-run: list every file that would be deleted (else one line per set)");
  auto selection = std::make_shared<Selection>();
  add_selection_options(command, *selection, "Raw file ids (backed up)");
  // A daily `purge --all-status done` goes through what is left to purge, not every set
  // purged before (--target backup: before the .bkp copies' minimum age, which have all aged
  // by then); named ids are always run.
  auto include_purged = std::make_shared<bool>(false);
  command.add_flag("--include-purged", *include_purged, "With a selection: also the sets purged before");
  auto run = per_selected_id("purge", options, selection, &run_purge);
  return [run, options, selection, include_purged](const Context& ctx) {
    bool backup = options->target == "backup";
    selection->unpurged_only = !*include_purged && !backup;
    selection->backup_purged_before.reset();
    if (!*include_purged && backup) {
      double days = options->aside_min_age_days.value_or(static_cast<double>(ctx.config->aside_min_age_days));
      selection->backup_purged_before =
          format_utc(Clock::now() - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(days * 86400)));
    }
    return run(ctx);
  };
}

}  // namespace rawbackup
