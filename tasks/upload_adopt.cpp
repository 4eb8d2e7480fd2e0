#include <spdlog/spdlog.h>

#include "common/progress.h"
#include "common/text.h"
#include "storage/s3/replies.h"
#include "tasks/upload_plan.h"
#include "transfer/foreign_object.h"
#include "transfer/s3_fetch.h"

namespace rawbackup {

namespace {

void adopt(UploadPlan& plan, UploadItem& item, FileEntry noted) {
  item.action = Action::adopt;
  item.entry = std::move(noted);
  plan.bytes_to_upload -= item.entry.size;
  --plan.to_upload;
  ++plan.adopted;
}

// The `replace`s left whose object has the file's size and a multipart ETag no re-hash
// explained (a part size that follows no convention): their bytes are fetched and hashed in
// the record's parts before anything is re-sent. The same bytes: adopted (the object's ETag
// noted, its part size unknown); other bytes: replaced.
Status adopt_by_bytes(const Context& ctx, UploadPlan& plan) {
  std::vector<UploadItem*> items;
  std::vector<FetchJob> jobs;
  uint64_t bytes = 0;
  for (UploadItem& item : plan.items) {
    if (item.action != Action::replace || !multipart_of_file_size(item.entry, item.found)) continue;
    items.push_back(&item);
    jobs.push_back({item.target, item.entry, nullptr});
    bytes += item.entry.size;
  }
  if (jobs.empty()) return {};
  spdlog::info("{} object(s) ({}) of the files' sizes have ETags of unknown part sizes: reading them before re-sending",
               jobs.size(), format_bytes(bytes));
  Progress progress("reading objects uploaded by other tools", bytes, ctx.tty);
  FetchOptions fetch;
  fetch.fallback_part_size = ctx.config->part_size();
  fetch.workers = ctx.config->s3->concurrency;
  fetch.on_bytes = [&](uint64_t n) { progress.advance(n); };
  std::vector<char> same(jobs.size(), 0);
  FetchHooks hooks;
  hooks.done = [&](size_t j, Result<FetchCheck> check) -> Status {
    same[j] = check && check->matches;  // shorter or other bytes: replaced by the upload
    return {};
  };
  TRY(fetch_and_check_all(ctx.objects(), jobs, fetch, hooks));
  progress.finish();
  for (size_t j = 0; j < items.size(); ++j) {
    if (!same[j]) continue;
    UploadItem& item = *items[j];
    spdlog::info("s3://{}/{}: the record's bytes (ETag {}, read and hashed); adopted, nothing sent", plan.bucket,
                 item.target.key, item.found.etag);
    FileEntry noted = item.entry;
    noted.object_etag = s3::unquoted(item.found.etag);
    noted.object_part_size = 0;  // not inferable
    noted.object_etag_kind = ObjectEtagKind::read_back;
    adopt(plan, item, std::move(noted));
  }
  return {};
}

}  // namespace

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
    adopt(plan, item, with_object(item.entry, *found));
  }
  progress.finish();
  return adopt_by_bytes(ctx, plan);
}

FileInfo files_after_upload(const RawFile& record, const UploadPlan& plan,
                            const std::map<std::string, std::string>& opaque_etags) {
  FileInfo files = record.file_info;
  for (const UploadItem& item : plan.items) {
    FileEntry& entry = files[item.key];
    if (item.action == Action::adopt) entry = item.entry;
    if (item.action != Action::upload && item.action != Action::replace) continue;
    auto opaque = opaque_etags.find(item.target.key);
    bool encrypted = opaque != opaque_etags.end();
    entry.object_etag = encrypted ? opaque->second : "";  // an object noted before was replaced
    entry.object_part_size = encrypted ? entry.part_size : 0;
    entry.object_etag_kind = encrypted ? ObjectEtagKind::encrypted : ObjectEtagKind::none;
  }
  return files;
}

}  // namespace rawbackup
