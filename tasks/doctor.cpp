#include "tasks/doctor.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <set>

#include "storage/s3/naming.h"
#include "tasks/doctor_checks.h"

namespace rawbackup {
namespace {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::warn: return "warn";
    case Verdict::fail: return "fail";
    case Verdict::skip: return "skip";
  }
  return "fail";
}

struct DoctorResult {
  std::vector<Finding> findings;

  size_t counted(Verdict v) const {
    return static_cast<size_t>(
        std::count_if(findings.begin(), findings.end(), [v](const Finding& f) { return f.verdict == v; }));
  }
  // 2 when a failure is a config problem, else 1 for any failure, else 0.
  int exit_code() const {
    int code = 0;
    for (const Finding& f : findings) {
      if (f.verdict != Verdict::fail) continue;
      code = f.kind == ErrorKind::usage ? exit_codes::usage : std::max(code, exit_codes::failed);
    }
    return code;
  }
  std::string outcome() const { return counted(Verdict::fail) ? "failed" : counted(Verdict::warn) ? "warnings" : "ok"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    nlohmann::json checks = nlohmann::json::array();
    for (const Finding& f : findings) {
      nlohmann::json line{{"check", f.check}, {"status", verdict_name(f.verdict)}, {"detail", f.detail}};
      if (!f.fix.empty()) line["fix"] = f.fix;
      checks.push_back(std::move(line));
    }
    return {{"task", "doctor"}, {"outcome", outcome()}, {"exit_code", exit_code()}, {"checks", std::move(checks)}};
  }
  std::string to_text() const {
    std::string text;
    for (const Finding& f : findings) {
      text += fmt::format("{:<4} {:<20} {}{}\n", verdict_name(f.verdict), f.check, f.detail,
                          f.fix.empty() ? "" : ": " + f.fix);
    }
    return text + fmt::format("{} ok, {} warning(s), {} failing{}", counted(Verdict::ok), counted(Verdict::warn),
                              counted(Verdict::fail),
                              counted(Verdict::skip) ? fmt::format(", {} not checked", counted(Verdict::skip)) : "");
  }
};

// The buckets of the projects asked for (--project), then of every project the store has
// seen; a project whose name makes no bucket is a config finding of its own.
S3Checks buckets_to_check(RecordStore* store, const S3Config& s3, const DoctorOptions& options,
                          std::vector<Finding>& findings) {
  S3Checks what;
  std::set<std::string> seen;
  auto add = [&](const std::string& project, bool asked) {
    auto bucket = s3::bucket_name(s3.bucket_prefix, project);
    if (!bucket) {
      findings.push_back({"project " + project, Verdict::fail, bucket.error().message, "", ErrorKind::usage});
    } else if (seen.insert(*bucket).second) {
      const ObjectWriteSettings& objects = s3.objects_for(project);  // said only when something is asked for
      what.buckets.push_back({*bucket, asked ? project : "", objects == ObjectWriteSettings{} ? "" : objects.describe()});
    }
  };
  for (const std::string& project : options.projects) add(project, true);
  if (!store) {
    what.no_recorded_projects = "the store could not be opened, so its projects are not known";
    return what;
  }
  std::set<std::string> projects;
  Status listed = store->list_rows({}, [&](const RecordRow& row) -> Status {
    projects.insert(row.project_id);
    return {};
  });
  if (!listed) what.no_recorded_projects = "cannot list the store's projects: " + listed.error().message;
  for (const std::string& project : projects) add(project, false);
  return what;
}

// The S3 checks, when the config says backup_type s3; else why they are not made.
void check_s3_side(const Context& ctx, const Config& config, RecordStore* store, const DoctorOptions& options,
                   std::vector<Finding>& findings) {
  if (config.backup_type != BackupType::s3 || !config.s3) {
    std::string why = config.backup_type != BackupType::s3 ? "backup_type is local" : "the config has no backup.s3";
    findings.push_back(skipped("s3", why + ": no credentials, endpoint, clock or bucket to check" +
                                         (options.projects.empty() ? "" : " (--project names no bucket)")));
    return;
  }
  ConnectedObjectStore connected;
  try {
    connected = ctx.loaders->s3(*config.s3);
  } catch (const UsageError& e) {
    findings.push_back({"credentials", Verdict::fail, e.what(), "", ErrorKind::usage});
    for (Finding& f : skipped_without_credentials()) findings.push_back(std::move(f));
    return;
  }
  S3Checks what = buckets_to_check(store, *config.s3, options, findings);
  what.credentials_from = connected.credentials_from;
  what.write_probe = options.write_probe;
  auto s3 = check_s3(*connected.store, what);
  findings.insert(findings.end(), s3.begin(), s3.end());
}

}  // namespace

Result<TaskOutput> run_doctor(const Context& ctx, const DoctorOptions& options) {
  DoctorResult result;
  std::vector<Finding>& findings = result.findings;
  Config config;
  try {
    config = ctx.loaders->config();
  } catch (const UsageError& e) {
    findings.push_back({"config", Verdict::fail, e.what(), "", ErrorKind::usage});
    return output_of(result, result.exit_code());
  }
  findings.push_back({"config", Verdict::ok, config.file.string() + " is valid"});
  auto store = ctx.loaders->store(config, true);  // read-only: doctor never creates or migrates a store
  if (store) {
    findings.push_back(check_store(**store));
  } else {
    findings.push_back({"store", Verdict::fail, store.error().message, "", store.error().kind});
  }
  auto instruments = check_instruments(*ctx.fs, config);
  findings.insert(findings.end(), instruments.begin(), instruments.end());
  if (!config.backup_path.empty()) {
    findings.push_back(check_backup_folder(*ctx.fs, config.backup_path, options.write_probe));
  } else {
    findings.push_back(skipped("backup folder", "locations.backup is not set"));
  }
  check_s3_side(ctx, config, store ? store->get() : nullptr, options, findings);
  return output_of(result, result.exit_code());
}

TaskRunner bind_doctor(CLI::App& command) {
  auto options = std::make_shared<DoctorOptions>();
  command.add_flag("--write-probe", options->write_probe,
                   "Also commit and remove a probe file in the backup folder as copy-local does, and write and delete "
                   "a zero-byte object under .rawbackup-doctor/ in each bucket");
  command.add_option("--project", options->projects,
                     "Also name and check this project's bucket (before its first upload); repeatable");
  return [options](const Context& ctx) { return run_doctor(ctx, *options); };
}

}  // namespace rawbackup
