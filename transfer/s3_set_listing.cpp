#include "transfer/s3_set_listing.h"

#include "transfer/archived_objects.h"
#include "transfer/s3_upload_file.h"

namespace rawbackup {
namespace {

constexpr size_t list_when_more_than = 10;  // files; fewer are HEADed one by one

// The folder all keys share ("x.d/" for a Bruker set), so a listing covers only the set.
std::string common_folder(const FileInfo& files) {
  std::string first = files.begin()->first;
  size_t slash = first.find('/');
  if (slash == std::string::npos) return "";
  std::string folder = first.substr(0, slash + 1);
  for (const auto& [key, entry] : files) {
    if (!key.starts_with(folder)) return "";
  }
  return folder;
}

Result<SetObjects> head_set(ObjectStore& store, const std::string& bucket, const std::string& prefix,
                            const FileInfo& files) {
  SetObjects found;
  for (const auto& [key, entry] : files) {
    S3Target target{bucket, prefix + key};
    auto info = store.head_object(bucket, target.key);
    if (!info) return std::unexpected(s3_failure(info.error(), "HEAD " + s3_url(target)));
    if (*info) found[target.key] = **info;
  }
  return found;
}

// The record's objects of `found` in an archive class, HEADed for their restore state.
Status head_archived(ObjectStore& store, const std::string& bucket, const std::string& prefix, const FileInfo& files,
                     SetObjects& found) {
  FileInfo archived;
  for (const auto& [key, entry] : files) {
    auto it = found.find(prefix + key);
    if (it != found.end() && is_archive_class(it->second.storage_class)) archived[key] = entry;
  }
  TRY_ASSIGN(headed, head_set(store, bucket, prefix, archived));
  for (auto& [key, info] : headed) found[key] = std::move(info);
  return {};
}

Result<SetObjects> list_set(ObjectStore& store, const std::string& bucket, const std::string& prefix,
                            const FileInfo& files, bool archive_states) {
  SetObjects found;
  std::string folder = prefix + common_folder(files);
  std::string token;
  do {
    auto page = store.list_objects(bucket, folder, token);
    if (!page) return std::unexpected(s3_failure(page.error(), "listing s3://" + bucket + "/" + folder));
    for (const auto& o : page->objects) found[o.key] = {o.size, o.etag, "", o.storage_class};
    token = page->truncated ? page->next_token : "";
  } while (!token.empty());
  if (archive_states) TRY(head_archived(store, bucket, prefix, files, found));
  return found;
}

}  // namespace

Result<SetObjects> find_set_objects(ObjectStore& store, const std::string& bucket, const std::string& prefix,
                                    const FileInfo& files, bool archive_states) {
  if (files.empty()) return SetObjects{};
  if (files.size() > list_when_more_than) return list_set(store, bucket, prefix, files, archive_states);
  return head_set(store, bucket, prefix, files);
}

std::string object_size_problem(const SetObjects& found, const std::string& bucket, const std::string& prefix,
                                const std::string& key, uint64_t size) {
  std::string url = "s3://" + bucket + "/" + prefix + key;
  auto object = found.find(prefix + key);
  if (object == found.end()) return url + " is missing";
  if (object->second.size == size) return "";
  return url + " is " + (object->second.size < size ? "shorter" : "longer") + " than recorded (" +
         std::to_string(object->second.size) + " bytes, record " + std::to_string(size) + ")";
}

}  // namespace rawbackup
