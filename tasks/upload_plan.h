// upload-s3's plan: per file of the set, upload, replace a differing object, skip one that is
// there, or adopt one another tool uploaded with other parts (transfer/foreign_object.h).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "tasks/task.h"
#include "transfer/s3_upload_set.h"

namespace rawbackup {

enum class Action { upload, replace, skip, adopt };

inline const char* to_string(Action a) {
  switch (a) {
    case Action::upload: return "upload";
    case Action::replace: return "replace";
    case Action::skip: return "skip";
    case Action::adopt: return "adopt";
  }
  return "?";
}

struct UploadItem {
  std::string key;  // relative key in the record
  S3Target target;
  FileEntry entry;  // adopt: noting the object (object_etag, object_part_size)
  Action action = Action::upload;
  ObjectInfo found{};  // replace, adopt: the object already there
};

struct UploadPlan {
  std::string bucket;
  std::string prefix;
  std::filesystem::path source_base;
  bool from_backup = false;  // the verified local backup copy, not the instrument's file
  std::vector<UploadItem> items;
  uint64_t bytes_to_upload = 0;
  size_t to_upload = 0;
  size_t adopted = 0;

  std::string url() const { return "s3://" + bucket + "/" + prefix; }
};

// Turns each `replace` whose object has the file's size and an ETag another tool's part size
// explains into `adopt` when the source, re-read once at those part sizes, gives that ETag
// (nothing is sent for it); a real difference stays `replace`. A source that is not the
// recorded bytes is left to the upload, whose checks name it.
Status adopt_foreign_objects(const Context& ctx, UploadPlan& plan);

// The record's files after the upload: adopted objects noted, the opaque ETags of objects
// uploaded under SSE-KMS / SSE-C (S3 key → ETag) noted as encrypted, and objects noted before
// and now replaced forgotten.
FileInfo files_after_upload(const RawFile& record, const UploadPlan& plan,
                            const std::map<std::string, std::string>& opaque_etags);

}  // namespace rawbackup
