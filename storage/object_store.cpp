#include "storage/object_store.h"

#include <algorithm>
#include <cstring>

#include "common/interrupt.h"
#include "integrity/md5.h"

namespace rawbackup {
namespace {

// A byte range of an open file, read sequentially (seeking only when asked to go back).
struct FileRange {
  std::unique_ptr<InputFile> file;
  std::filesystem::path path;
  uint64_t start = 0;
  uint64_t length = 0;
  uint64_t position = 0;  // within the range

  Result<size_t> read_at(uint64_t offset, std::span<std::byte> out) {
    if (offset != position) {
      file->seek(start + offset);
      position = offset;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), length - position));
    if (want == 0) return size_t{0};
    TRY_ASSIGN(n, file->read(out.first(want)));
    if (n == 0) return fail(path.string() + " is shorter than recorded (changed since checksum?)");
    position += n;
    return n;
  }
};

Result<std::string> md5_of_range(FileRange& range) {
  std::vector<std::byte> buffer(1 << 20);
  Md5 md5;
  for (uint64_t done = 0; done < range.length;) {
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted");
    TRY_ASSIGN(n, range.read_at(done, buffer));
    md5.update(std::span(buffer).first(n));
    done += n;
  }
  return to_hex(md5.finish());
}

Result<std::shared_ptr<FileRange>> open_range(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset,
                                              uint64_t length) {
  TRY_ASSIGN(file, fs.open_read(path));
  auto range = std::make_shared<FileRange>(FileRange{std::move(file), path, offset, length, 0});
  range->file->seek(offset);
  return range;
}

Body range_body(std::shared_ptr<FileRange> range, std::string md5_hex) {
  Body body;
  body.size = range->length;
  body.md5_hex = std::move(md5_hex);
  body.read_at = [range = std::move(range)](uint64_t at, std::span<std::byte> out) { return range->read_at(at, out); };
  return body;
}

}  // namespace

bool etag_is_md5_under(const std::string& encryption) {
  return encryption != "aws:kms" && encryption != "aws:kms:dsse" && encryption != "SSE-C";
}

Body text_body(std::string text) {
  auto shared = std::make_shared<const std::string>(std::move(text));
  Body body;
  body.size = shared->size();
  body.md5_hex = md5_hex(*shared);
  body.read_at = [shared](uint64_t offset, std::span<std::byte> out) -> Result<size_t> {
    size_t n = std::min(out.size(), shared->size() - static_cast<size_t>(offset));
    std::memcpy(out.data(), shared->data() + offset, n);
    return n;
  };
  return body;
}

Result<Body> file_range_body(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset, uint64_t length,
                             std::string md5_hex) {
  TRY_ASSIGN(range, open_range(fs, path, offset, length));
  return range_body(std::move(range), std::move(md5_hex));
}

Result<Body> file_range_body(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset,
                             uint64_t length) {
  TRY_ASSIGN(range, open_range(fs, path, offset, length));
  TRY_ASSIGN(md5, md5_of_range(*range));
  return range_body(std::move(range), md5);
}

Result<std::string> md5_of_file_range(const FileSystem& fs, const std::filesystem::path& path, uint64_t offset,
                                      uint64_t length) {
  TRY_ASSIGN(range, open_range(fs, path, offset, length));
  return md5_of_range(*range);
}

S3Result<std::vector<s3::UploadedPart>> list_all_parts(ObjectStore& store, const std::string& bucket,
                                                       const std::string& key, const std::string& upload_id) {
  std::vector<s3::UploadedPart> parts;
  int marker = 0;
  while (true) {
    TRY_ASSIGN(page, store.list_parts(bucket, key, upload_id, marker));
    parts.insert(parts.end(), page.parts.begin(), page.parts.end());
    if (!page.truncated || !page.next_marker || *page.next_marker <= marker) return parts;
    marker = *page.next_marker;
  }
}

}  // namespace rawbackup
