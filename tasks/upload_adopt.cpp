#include <spdlog/spdlog.h>

#include "common/progress.h"
#include "common/text.h"
#include "tasks/upload_plan.h"
#include "transfer/foreign_object.h"

namespace rawbackup {

Status adopt_foreign_objects(const Context& ctx, UploadPlan& plan) {
  uint64_t bytes = 0;
  for (const UploadItem& item : plan.items) {
    if (item.action == Action::replace && !foreign_candidates(item.entry, item.found).empty()) bytes += item.entry.size;
  }
  if (bytes == 0) return {};
  Progress progress("re-hashing objects uploaded by other tools", bytes, ctx.tty);
  for (UploadItem& item : plan.items) {
    if (item.action != Action::replace || foreign_candidates(item.entry, item.found).empty()) continue;
    auto found = identify_foreign_object(*ctx.fs, plan.source_base / item.key, item.entry, item.found,
                                         [&](size_t n) { progress.advance(n); });
    if (!found && found.error().kind == ErrorKind::mismatch) continue;  // the upload's own checks name it
    if (!found) return std::unexpected(found.error());
    if (found->verdict != ForeignVerdict::same) continue;
    spdlog::info("s3://{}/{}: {} (ETag {}); adopted, nothing sent", plan.bucket, item.target.key, found->detail,
                 found->etag);
    item.action = Action::adopt;
    item.entry = with_object(item.entry, *found);
    plan.bytes_to_upload -= item.entry.size;
    --plan.to_upload;
    ++plan.adopted;
  }
  progress.finish();
  return {};
}

FileInfo files_with_adopted(const RawFile& record, const UploadPlan& plan) {
  FileInfo files = record.file_info;
  for (const UploadItem& item : plan.items) {
    if (item.action == Action::adopt) files[item.key] = item.entry;
  }
  return files;
}

}  // namespace rawbackup
