#include "transfer/archived_objects.h"

#include "common/text.h"
#include "transfer/s3_upload_file.h"

namespace rawbackup {

bool is_archive_class(const std::string& storage_class) {
  return storage_class == "GLACIER" || storage_class == "DEEP_ARCHIVE";
}

ArchiveState archive_state(const ObjectInfo& info) {
  if (!is_archive_class(info.storage_class)) return ArchiveState::readable;
  if (info.restore.find("ongoing-request=\"false\"") != std::string::npos) return ArchiveState::readable;
  if (info.restore.find("ongoing-request=\"true\"") != std::string::npos) return ArchiveState::restoring;
  return ArchiveState::archived;
}

Status require_readable(ObjectStore& store, const std::string& bucket, const SetObjects& found,
                        const std::string& record_id, int request_days) {
  std::vector<std::string> archived;
  std::vector<std::string> waiting;  // being restored, and what this run asked for
  size_t asked = 0;
  std::string slowest;  // the class whose restore takes longest, for the message
  for (const auto& [key, info] : found) {
    ArchiveState state = archive_state(info);
    std::string url = s3_url({bucket, key});
    if (state == ArchiveState::archived && request_days > 0) {
      if (auto requested = store.restore_object(bucket, key, request_days, restore_tier); !requested) {
        return std::unexpected(s3_failure(requested.error(), "asking S3 to restore " + url));
      }
      ++asked;
      if (slowest != "DEEP_ARCHIVE") slowest = info.storage_class;
    } else if (state == ArchiveState::archived) {
      archived.push_back(archived_problem(url, info, record_id));
    } else if (state == ArchiveState::restoring) {
      waiting.push_back(archived_problem(url, info, record_id));
    }
  }
  if (!archived.empty()) return fail(ErrorKind::mismatch, join(archived, "; ") + "; nothing written");
  if (asked > 0) {
    waiting.insert(waiting.begin(), "asked S3 for a copy of " + std::to_string(asked) +
                                        " archived object(s) readable for " + std::to_string(request_days) +
                                        " day(s) (tier " + restore_tier + ", " + restore_duration(slowest) + ")");
  }
  if (waiting.empty()) return {};
  return std::unexpected(
      Error{ErrorKind::failed, join(waiting, "; ") + "; nothing written: run this again once S3 has restored them", true});
}

std::string restore_duration(const std::string& storage_class) {
  return storage_class == "DEEP_ARCHIVE" ? "up to 12 h" : "3–5 h";
}

std::string archived_problem(const std::string& url, const ObjectInfo& info, const std::string& record_id) {
  switch (archive_state(info)) {
    case ArchiveState::readable: return "";
    case ArchiveState::restoring:
      return url + " is being restored from " + info.storage_class + " (requested earlier; tier " + restore_tier +
             " takes " + restore_duration(info.storage_class) + "): retry later";
    case ArchiveState::archived: break;
  }
  return url + " is archived in " + info.storage_class + ": its bytes cannot be read until S3 restores a copy (`rawbackup restore " +
         record_id + " --request-archive-restore DAYS` asks for one; tier " + restore_tier + ", " +
         restore_duration(info.storage_class) + ")";
}

}  // namespace rawbackup
