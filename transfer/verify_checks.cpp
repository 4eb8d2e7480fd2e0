#include "transfer/verify_checks.h"

#include <map>

#include "integrity/etag.h"
#include "storage/s3/replies.h"
#include "transfer/archived_objects.h"
#include "transfer/copy_file.h"
#include "transfer/foreign_object.h"
#include "transfer/s3_fetch.h"
#include "transfer/s3_set_listing.h"

namespace rawbackup {
namespace {

FileFinding finding(const std::string& path, BackupPlace backup, FindingState state, std::string detail = "") {
  return {path, backup, state, std::move(detail)};
}

// Deep: each object's bytes, hashed in the record's parts, must give the record's ETag (a part
// that differs is read once more and named when it still differs); the objects of `jobs` are
// fetched side by side, each filling the finding at its index in `at`.
Status check_contents(ObjectStore& store, const std::vector<FetchJob>& jobs, const std::vector<size_t>& at,
                      const S3CheckOptions& options, std::vector<FileFinding>& out) {
  FetchOptions fetch;
  fetch.fallback_part_size = options.fallback_part_size;
  fetch.workers = options.workers;
  fetch.limiter = options.limiter;
  fetch.on_bytes = options.on_bytes;
  FetchHooks hooks;
  hooks.done = [&](size_t j, Result<FetchCheck> check) -> Status {
    FileFinding& into = out[at[j]];
    if (!check) {
      into = finding(into.path, BackupPlace::s3, FindingState::differs, check.error().message);
    } else if (!check->matches) {
      into = finding(into.path, BackupPlace::s3, FindingState::differs, "content differs: " + check->difference);
    }
    return {};
  };
  return fetch_and_check_all(store, jobs, fetch, hooks);
}

// An ETag the record does not allow, of an object of the file's size: another tool's upload
// of the same bytes (re-hashed from the local copy), or other bytes.
Result<FileFinding> check_foreign(const std::string& key, const FileEntry& entry, const ObjectInfo& object,
                                  const S3CheckOptions& options) {
  std::string plain = "ETag " + object.etag + ", record " + entry.etag + " (MD5 " + entry.md5 + ")";
  // A multipart ETag no re-hash explains: uploaded at a part size that cannot be inferred, or
  // other bytes; only the bytes can tell (a single PUT's ETag is the MD5: that differs for sure).
  auto unexplained = [&](const std::string& what) {
    return finding(key, BackupPlace::s3, FindingState::unverifiable,
                   what + "; `rawbackup verify --deep` compares its bytes with the record");
  };
  if (foreign_candidates(entry, object).empty()) {
    if (!multipart_of_file_size(entry, object)) return finding(key, BackupPlace::s3, FindingState::differs, plain);
    return unexplained(plain + ": uploaded in parts of a size that cannot be inferred (another tool's)");
  }
  auto local = options.fs && !options.local_base.empty() ? options.fs->stat(options.local_base / key, true)
                                                         : Result<FileStat>(FileStat{});
  if (!local) return std::unexpected(local.error());
  if (local->type != EntryType::file) {
    return finding(key, BackupPlace::s3, FindingState::unverifiable,
                   plain +
                       ": another tool's part size fits it, and there is no local copy to re-hash (--deep "
                       "hashes the object itself)");
  }
  auto found = identify_foreign_object(*options.fs, options.local_base / key, entry, object,
                                       [&](size_t n) { options.on_local_bytes(n); });
  if (!found && found.error().kind == ErrorKind::mismatch) {
    return finding(key, BackupPlace::s3, FindingState::unverifiable, plain + ": " + found.error().message);
  }
  if (!found) return std::unexpected(found.error());
  if (found->verdict == ForeignVerdict::differs) return unexplained(found->detail);
  FileFinding ok = finding(key, BackupPlace::s3, FindingState::ok, found->detail);
  ok.object_etag = found->etag;
  ok.object_part_size = found->part_size;
  ok.object_etag_kind = ObjectEtagKind::other_tool;
  return ok;
}

}  // namespace

const char* to_string(FindingState state) {
  switch (state) {
    case FindingState::ok: return "ok";
    case FindingState::missing: return "missing";
    case FindingState::differs: return "differs";
    case FindingState::unverifiable: return "unverifiable";
  }
  return "differs";
}

Result<std::vector<FileFinding>> check_local(const FileSystem& fs, const std::filesystem::path& base,
                                             const RawFile& record, unsigned workers,
                                             const std::function<void(size_t)>& on_bytes) {
  std::vector<Destination> files;
  for (const auto& [key, entry] : record.file_info) files.push_back({base / key, &entry});
  TRY_ASSIGN(checks, check_destinations(fs, files, workers, on_bytes));
  std::vector<FileFinding> out;
  auto check = checks.begin();
  for (const auto& [key, entry] : record.file_info) {
    switch (check->state) {
      case DestinationState::identical: out.push_back(finding(key, BackupPlace::local, FindingState::ok)); break;
      case DestinationState::missing:
        out.push_back(finding(key, BackupPlace::local, FindingState::missing, (base / key).string() + " is missing"));
        break;
      case DestinationState::not_a_file:
        out.push_back(finding(key, BackupPlace::local, FindingState::differs, "not a regular file"));
        break;
      case DestinationState::differs: {
        bool by_size = check->md5.starts_with("size ");  // check_destination's note when sizes differ
        std::string detail = by_size ? check->md5 + ", record " + std::to_string(entry.size)
                                     : "MD5 " + check->md5 + ", record " + entry.md5;
        out.push_back(finding(key, BackupPlace::local, FindingState::differs, detail));
        break;
      }
    }
    ++check;
  }
  return out;
}

std::optional<S3Location> parse_s3_url(const std::string& url) {
  if (!url.starts_with("s3://")) return std::nullopt;
  std::string rest = url.substr(5);
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  if (bucket.empty()) return std::nullopt;
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!prefix.empty() && !prefix.ends_with('/')) prefix += '/';
  return S3Location{bucket, prefix};
}

Result<std::vector<FileFinding>> check_s3(ObjectStore& store, const RawFile& record, const S3Location& where,
                                          const S3CheckOptions& options) {
  TRY_ASSIGN(found, find_set_objects(store, where.bucket, where.prefix, record.file_info, options.deep));
  std::vector<FileFinding> out;
  std::vector<FetchJob> deep;  // objects to fetch and hash, and the findings they decide
  std::vector<size_t> deep_at;
  for (const auto& [key, entry] : record.file_info) {
    auto it = found.find(where.prefix + key);
    std::string problem = object_size_problem(found, where.bucket, where.prefix, key, entry.size);
    if (!problem.empty()) {
      out.push_back(
          finding(key, BackupPlace::s3, it == found.end() ? FindingState::missing : FindingState::differs, problem));
    } else if (options.deep && archive_state(it->second) != ArchiveState::readable) {
      std::string url = s3_url({where.bucket, where.prefix + key});
      out.push_back(finding(key, BackupPlace::s3, FindingState::unverifiable, archived_problem(url, it->second, record.id)));
    } else if (options.deep) {
      deep.push_back({{where.bucket, where.prefix + key}, entry, nullptr});
      deep_at.push_back(out.size());
      FileFinding ok = finding(key, BackupPlace::s3, FindingState::ok);  // unless its bytes differ
      if (!entry.allows_etag(it->second.etag)) {  // proven by its bytes: noted, so a shallow verify knows it
        ok.detail = "ETag " + it->second.etag + " (uploaded with other parts): bytes identical";
        ok.object_etag = s3::unquoted(it->second.etag);
        ok.object_etag_kind = ObjectEtagKind::read_back;
      }
      out.push_back(ok);
    } else if (!entry.allows_etag(it->second.etag)) {
      TRY_ASSIGN(checked, check_foreign(key, entry, it->second, options));
      out.push_back(checked);
    } else {
      out.push_back(finding(key, BackupPlace::s3, FindingState::ok));
    }
  }
  if (!deep.empty()) TRY(check_contents(store, deep, deep_at, options, out));
  return out;
}

}  // namespace rawbackup
