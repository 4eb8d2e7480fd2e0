#include "storage/file_hasher.h"

#include <vector>

#include "integrity/etag.h"
#include "integrity/hash_sinks.h"
#include "storage/block_fanout.h"

namespace rawbackup {

Result<FileDigest> hash_file(const FileSystem& fs, const std::filesystem::path& path, uint64_t part_size,
                             const std::function<void(size_t)>& on_bytes) {
  Result<FileStat> stat = fs.stat(path, true);
  if (!stat) return std::unexpected(stat.error());
  Result<std::unique_ptr<InputFile>> input = fs.open_read(path);
  if (!input) return std::unexpected(input.error());

  EtagSink etag(part_size);
  Md5Sink md5;
  // One part: the ETag is the MD5, so the second hasher (and thread) is not needed.
  bool multipart = stat->size > part_size;
  std::vector<BlockSink*> sinks{&etag};
  if (multipart) sinks.push_back(&md5);
  FanOutOptions options;
  options.on_block = on_bytes;
  Result<uint64_t> size = fan_out(**input, sinks, options);
  if (!size) return fail(size.error(), path.string());

  FileDigest digest;
  digest.size = *size;
  digest.etag = etag.etag.finish();
  digest.md5 = multipart ? to_hex(md5.md5.finish()) : digest.etag;
  if (multipart) digest.part_md5s = etag.etag.part_digests();
  // The file grew past one part while being read: the single-part ETag is wrong.
  if (!multipart && *size > part_size) {
    return fail(path.string() + ": file changed while being read (size " + std::to_string(stat->size) + " → " +
                std::to_string(*size) + ")");
  }
  return digest;
}

Result<EtagsAt> hash_file_at_part_sizes(const FileSystem& fs, const std::filesystem::path& path,
                                        std::span<const uint64_t> part_sizes,
                                        const std::function<void(size_t)>& on_bytes) {
  TRY_ASSIGN(input, fs.open_read(path));
  Md5Sink md5;
  std::vector<std::unique_ptr<EtagSink>> etags;
  std::vector<BlockSink*> sinks{&md5};
  for (uint64_t part_size : part_sizes)
    sinks.push_back(etags.emplace_back(std::make_unique<EtagSink>(part_size)).get());
  FanOutOptions options;
  options.on_block = on_bytes;
  Result<uint64_t> size = fan_out(*input, sinks, options);
  if (!size) return fail(size.error(), path.string());
  EtagsAt out{*size, to_hex(md5.md5.finish()), {}};
  for (auto& etag : etags) {
    etag->etag.finish();
    out.etags.push_back(multipart_etag(etag->etag.part_digests()));
  }
  return out;
}

}  // namespace rawbackup
