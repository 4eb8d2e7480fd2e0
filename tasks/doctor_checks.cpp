#include "tasks/doctor_checks.h"

#include <unistd.h>

#include <cstdlib>

#include "common/system.h"
#include "common/text.h"

namespace rawbackup {
namespace {

Finding ok(std::string check, std::string detail) { return {std::move(check), Verdict::ok, std::move(detail)}; }
Finding warn(std::string check, std::string detail, std::string fix) {
  return {std::move(check), Verdict::warn, std::move(detail), std::move(fix)};
}
Finding failure(std::string check, std::string detail, std::string fix, ErrorKind kind = ErrorKind::failed) {
  return {std::move(check), Verdict::fail, std::move(detail), std::move(fix), kind};
}

// "" when `folder` is an existing folder; else why not, as a finding's detail.
std::string folder_problem(const FileSystem& fs, const std::filesystem::path& folder) {
  auto st = fs.stat(folder, true);
  if (!st) return st.error().message;
  if (st->type == EntryType::missing) return folder.string() + " does not exist";
  if (st->type != EntryType::directory) return folder.string() + " is not a folder";
  return "";
}

bool refuses_credentials(const std::string& code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "InvalidToken" ||
         code == "ExpiredToken" || code == "InvalidClientTokenId";
}

// The offset as people say it: "this machine's clock is 3600 s behind the server's".
std::string clock_text(int64_t server_ahead_s) {
  if (server_ahead_s == 0) return "this machine's clock agrees with the server's";
  return "this machine's clock is " + std::to_string(std::llabs(server_ahead_s)) + " s " +
         (server_ahead_s > 0 ? "behind" : "ahead of") + " the server's";
}

Finding check_clock(const EndpointProbe& probe) {
  if (!probe.clock_offset_s) return warn("clock", "the server sent no Date header", "compare the clocks by hand");
  int64_t off = *probe.clock_offset_s;
  std::string text = clock_text(off);
  constexpr const char* fix = "run a time service on this machine (chrony or systemd-timesyncd)";
  if (std::llabs(off) > clock_fail_s) return failure("clock", text + " (S3 refuses signatures over 15 min off)", fix);
  if (std::llabs(off) > clock_warn_s) return warn("clock", text, fix);
  return ok("clock", text);
}

Finding check_bucket(ObjectStore& objects, const std::string& bucket, bool write_probe) {
  std::string check = "bucket " + bucket;
  if (auto head = objects.head_bucket(bucket); !head) {
    const s3::S3Error& e = head.error();
    if (e.code == "WrongRegion") return failure(check, e.message, "", ErrorKind::usage);
    if (e.http_status == 404) {
      return failure(check, "does not exist",
                     "create it (rawbackup never creates buckets) or fix backup.s3.bucket_prefix");
    }
    if (e.http_status == 403) {
      return failure(check, "access denied (" + s3::describe(e) + ")",
                     "allow s3:ListBucket, s3:GetObject and s3:PutObject on it for these credentials");
    }
    return failure(check, s3::describe(e), "check the endpoint and the network");
  }
  std::string exists = "exists";
  if (auto encryption = objects.bucket_encryption(bucket); encryption && *encryption) {
    exists += " (default encryption " + **encryption + ")";
  }  // no default, or a server that does not say (not a finding)
  if (!write_probe) return ok(check, exists + " (--write-probe also checks writing)");
  std::string key = std::string(doctor_probe_prefix) + host_id() + "-" + std::to_string(getpid());
  if (auto put = objects.put_object(bucket, key, text_body("")); !put) {
    bool denied = put.error().code == "AccessDenied";
    return failure(check, exists + ", but a probe object cannot be written: " + s3::describe(put.error()),
                   denied ? "allow s3:PutObject on it for these credentials; a bucket policy may require encryption "
                            "(backup.s3.sse) or TLS (an https:// endpoint_url)"
                          : "allow s3:PutObject on it for these credentials");
  }
  if (auto removed = objects.delete_object(bucket, key); !removed) {
    return warn(check, "writable, but the probe object " + key + " cannot be deleted: " + s3::describe(removed.error()),
                "delete it by hand; allow s3:DeleteObject under " + std::string(doctor_probe_prefix));
  }
  return ok(check, exists + " and is writable (a probe object written and deleted)");
}

// " on nfs4 (rw,relatime,…) at /mnt/nas": where a folder lives, as mountinfo tells it.
std::string mount_text(const std::optional<MountInfo>& mount) {
  if (!mount) return "";
  return "; on " + mount->fs_type + " (" + mount->options + ") at " + mount->mount_point.string();
}

// A network share's attribute cache can hide a growing file for up to its timeout: the settle
// rule needs that well below settle_seconds (here: at most a quarter of it).
std::optional<Finding> attribute_cache_warning(const std::string& check, const std::string& detail,
                                               const std::optional<MountInfo>& mount, int64_t settle_seconds) {
  if (!mount) return std::nullopt;
  std::optional<int64_t> cache = attribute_cache_seconds(*mount);
  if (!cache || *cache * 4 <= settle_seconds) return std::nullopt;
  return warn(
      check,
      detail + "; its attribute cache keeps sizes and mtimes up to " + std::to_string(*cache) +
          " s, not well below checksum.settle_seconds (" + std::to_string(settle_seconds) + " s)",
      "mount it with a shorter actimeo, or raise checksum.settle_seconds to at least " + std::to_string(*cache * 4));
}

// Commits a probe file in `folder` the way copy-local commits a backup (temporary file,
// fsync, rename without replacing or its hard-link fallback, folder fsync), then removes it.
Status commit_probe(const FileSystem& fs, const std::filesystem::path& folder) {
  std::string name = ".rawbackup-doctor-" + host_id() + "-" + std::to_string(getpid());
  TRY_ASSIGN(file, fs.create_file(folder / name));
  static constexpr char probe[] = "rawbackup doctor probe\n";
  TRY(file->write_at(0, std::as_bytes(std::span(probe, sizeof probe - 1))));
  TRY(file->commit());
  TRY_ASSIGN(st, fs.stat(folder / name, false));
  TRY(fs.remove_file_beneath(folder, name, st));
  return fs.sync_folder(folder);
}

}  // namespace

Finding skipped(std::string check, std::string why) { return {std::move(check), Verdict::skip, "not checked: " + why}; }

std::vector<Finding> skipped_without_credentials() {
  return {skipped("endpoint, clock", "no credentials to sign a request with"),
          skipped("buckets", "no credentials to sign a request with")};
}

std::vector<Finding> check_instruments(const FileSystem& fs, const Config& config) {
  std::vector<Finding> out;
  for (const auto& [name, instrument] : config.instruments) {
    std::string check = "instrument " + name;
    std::string fix = "mount the instrument's share or fix instruments." + name + ".path";
    if (std::string problem = folder_problem(fs, instrument.path); !problem.empty()) {
      out.push_back(failure(check, problem, fix));
      continue;
    }
    auto entries = fs.list_dir(instrument.path);
    if (!entries) {
      out.push_back(failure(check, entries.error().message, "give this user read access to it"));
      continue;
    }
    auto mount = fs.mount_of(instrument.path);
    std::string detail = instrument.path.string() + " readable (" + std::to_string(entries->size()) +
                         (entries->size() == 1 ? " entry)" : " entries)") + mount_text(mount.value_or(std::nullopt));
    auto cache = attribute_cache_warning(check, detail, mount.value_or(std::nullopt), config.settle_seconds);
    out.push_back(cache ? *cache : ok(check, detail));
  }
  return out;
}

Finding check_backup_folder(const FileSystem& fs, const std::filesystem::path& folder, bool write_probe) {
  const char* check = "backup folder";
  if (std::string problem = folder_problem(fs, folder); !problem.empty()) {
    return failure(check, problem, "mount the backup share or create the folder (locations.backup)");
  }
  if (auto writable = fs.check_writable(folder); !writable) {
    return failure(check, writable.error().message, "give this user write access (or remount it read-write)");
  }
  auto space = fs.space(folder);
  if (!space) return warn(check, folder.string() + " writable; " + space.error().message, "");
  std::string detail = folder.string() + " writable, " + format_bytes(space->free_bytes) + " free of " +
                       format_bytes(space->total_bytes) + mount_text(fs.mount_of(folder).value_or(std::nullopt));
  if (write_probe) {
    if (auto probe = commit_probe(fs, folder); !probe) {
      return failure(check,
                     detail + "; a probe file cannot be committed as copy-local commits: " + probe.error().message,
                     "use a share that allows hard links or rename without replacing (README: supported file systems)");
    }
    detail += "; a probe file committed and removed";
  }
  if (space->free_bytes < low_space_bytes) {
    return warn(check, detail, "free some space: one raw file can be 100 GB");
  }
  return ok(check, detail);
}

Finding check_store(RecordStore& store) {
  auto health = store.health();
  if (!health) return failure("store", store.location() + ": " + health.error().message, "", health.error().kind);
  if (!health->write_problem.empty()) {
    return failure("store", store.location() + ": writes would be refused: " + health->write_problem, "");
  }
  if (health->schema_version == 0) {
    return ok("store", store.location() + " not created yet (the first checksum creates it); writable");
  }
  return ok("store", store.location() + ", schema version " + std::to_string(health->schema_version) + ", writable");
}

std::vector<Finding> check_s3(ObjectStore& objects, const S3Checks& what) {
  std::vector<Finding> out;
  auto probe = objects.probe_endpoint();
  if (!probe) {
    const s3::S3Error& e = probe.error();
    if (e.origin == s3::S3ErrorOrigin::credentials) {
      out.push_back(failure("credentials", "from " + what.credentials_from + ": " + e.message,
                            "see --log-level debug for the provider's reply"));
      for (Finding& f : skipped_without_credentials()) out.push_back(std::move(f));
      return out;
    }
    out.push_back(ok("credentials", "from " + what.credentials_from + " (not checked: no reply)"));
    out.push_back(failure("endpoint", objects.endpoint() + " unreachable: " + s3::describe(e),
                          "check backup.s3.endpoint_url (or AWS_ENDPOINT_URL_S3), the network and proxies"));
    out.push_back(skipped("clock", "the endpoint does not answer"));
    out.push_back(skipped("buckets", "the endpoint does not answer"));
    return out;
  }
  std::string code = probe->refused ? probe->refused->code : "";
  if (refuses_credentials(code)) {
    out.push_back(failure("credentials", "from " + what.credentials_from + ", refused by the server (" + code + ")",
                          "check the access key and secret key", ErrorKind::usage));
  } else if (code == "RequestTimeTooSkewed") {
    out.push_back(warn("credentials", "from " + what.credentials_from + ", not checked: the clock is too far off", ""));
  } else {
    out.push_back(ok("credentials", "from " + what.credentials_from + ", accepted by the server"));
  }
  out.push_back(ok("endpoint", objects.endpoint() + " answers (HTTP " + std::to_string(probe->http_status) + ")"));
  out.push_back(check_clock(*probe));
  if (out.front().verdict == Verdict::fail) {  // every bucket would say the same
    out.push_back(skipped("buckets", "the server refuses the credentials"));
    return out;
  }
  if (!what.no_recorded_projects.empty()) {
    out.push_back(skipped("recorded buckets", what.no_recorded_projects + " (--project P checks a project's bucket)"));
  } else if (what.buckets.empty()) {
    out.push_back(ok("buckets", "none recorded yet (nothing uploaded); --project P checks a project's bucket before "
                                "its first upload"));
  }
  for (const BucketToCheck& b : what.buckets) {
    Finding f = check_bucket(objects, b.bucket, what.write_probe);
    if (!b.asked_for.empty()) f.detail = "project " + b.asked_for + "'s bucket " + f.detail;
    if (f.verdict != Verdict::fail && !b.writes_as.empty()) f.detail += "; objects written with " + b.writes_as;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace rawbackup
