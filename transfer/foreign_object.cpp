#include "transfer/foreign_object.h"

#include "common/text.h"
#include "integrity/foreign_etag.h"
#include "storage/file_hasher.h"
#include "storage/s3/replies.h"

namespace rawbackup {

std::vector<uint64_t> foreign_candidates(const FileEntry& entry, const ObjectInfo& object) {
  auto reported = parse_reported_etag(object.etag);
  if (object.size != entry.size || !reported || reported->parts == 0) return {};
  return candidate_part_sizes(object.size, reported->parts);
}

bool multipart_of_file_size(const FileEntry& entry, const ObjectInfo& object) {
  auto reported = parse_reported_etag(object.etag);
  return object.size == entry.size && reported && reported->parts > 0;
}

std::string part_size_text(uint64_t part_size) {
  constexpr uint64_t mib = 1024 * 1024;
  if (part_size % mib == 0) return std::to_string(part_size / mib) + " MiB";
  return std::to_string(part_size) + " bytes";
}

Result<ForeignObject> identify_foreign_object(const FileSystem& fs, const std::filesystem::path& local,
                                              const FileEntry& entry, const ObjectInfo& object,
                                              const std::function<void(size_t)>& on_bytes) {
  std::vector<uint64_t> candidates = foreign_candidates(entry, object);
  ForeignObject found{ForeignVerdict::differs, 0, s3::unquoted(object.etag), ""};
  std::vector<std::string> tried;
  for (uint64_t p : candidates) tried.push_back(part_size_text(p));
  if (candidates.empty()) {
    found.detail = "ETag " + found.etag + " fits no known part size for " + std::to_string(object.size) + " bytes";
    return found;
  }
  TRY_ASSIGN(hashed, hash_file_at_part_sizes(fs, local, candidates, on_bytes));
  if (hashed.size != entry.size || hashed.md5 != entry.md5) {
    return fail(ErrorKind::mismatch, local.string() + " is not the recorded file (MD5 " + hashed.md5 + ", record " +
                                         entry.md5 + "), so it cannot vouch for the object");
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (hashed.etags[i] == found.etag) {
      found.verdict = ForeignVerdict::same;
      found.part_size = candidates[i];
      found.detail = "uploaded with " + part_size_text(candidates[i]) + " parts by another tool";
      return found;
    }
  }
  found.detail = "ETag " + found.etag + ": the recorded file at " + join(tried, ", ") + " parts gives " +
                 join(hashed.etags, ", ") + " (other bytes, or a part size that cannot be inferred)";
  return found;
}

FileEntry with_object(FileEntry entry, const ForeignObject& found) {
  entry.object_etag = found.etag;
  entry.object_part_size = found.part_size;
  entry.object_etag_kind = ObjectEtagKind::other_tool;
  return entry;
}

}  // namespace rawbackup
