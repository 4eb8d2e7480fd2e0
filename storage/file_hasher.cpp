#include "storage/file_hasher.h"

#include <vector>

#include "integrity/etag.h"
#include "integrity/hash_sinks.h"
#include "storage/block_fanout.h"

namespace rawbackup {

HashThreads hash_threads_for(size_t large_files, unsigned workers) {
  return large_files * 2 <= workers ? HashThreads::two : HashThreads::one;
}

namespace {

// Both digests of a file larger than one part, on one thread or two.
Result<uint64_t> hash_parts(InputFile& input, uint64_t part_size, HashThreads threads, FanOutOptions options,
                            FileDigest& digest) {
  if (threads == HashThreads::one) {
    Md5WithPartsSink both(part_size);
    std::vector<BlockSink*> sinks{&both};
    TRY_ASSIGN(size, fan_out(input, sinks, options));
    digest.md5 = to_hex(both.digests.finish());
    digest.part_md5s = both.digests.part_digests();
    return size;
  }
  EtagSink etag(part_size);
  Md5Sink md5;
  std::vector<BlockSink*> sinks{&etag, &md5};
  TRY_ASSIGN(size, fan_out(input, sinks, options));
  etag.etag.finish();
  digest.md5 = to_hex(md5.md5.finish());
  digest.part_md5s = etag.etag.part_digests();
  return size;
}

}  // namespace

Result<FileDigest> hash_file(const FileSystem& fs, const std::filesystem::path& path, uint64_t part_size,
                             const std::function<void(size_t)>& on_bytes, HashThreads threads) {
  Result<FileStat> stat = fs.stat(path, true);
  if (!stat) return std::unexpected(stat.error());
  Result<std::unique_ptr<InputFile>> input = fs.open_read(path);
  if (!input) return std::unexpected(input.error());

  // One part: the ETag is the MD5, one hasher on this thread.
  bool multipart = stat->size > part_size;
  FanOutOptions options;
  options.on_block = on_bytes;
  if (!multipart || threads == HashThreads::one) {
    // One thread: read() into one reused block. Mapped windows would fault page by page, and
    // each unmapping interrupts the cores running the other workers (TLB shootdown), which
    // costs most in VMs (issue 36: 1.39x instead of 1.23x the parallel md5sum).
    options.map_bytes = 0;
    options.block_size = 128 * 1024;
    options.ring_blocks = 1;
  }
  FileDigest digest;
  Md5Sink md5;
  std::vector<BlockSink*> sinks{&md5};
  Result<uint64_t> size = multipart ? hash_parts(**input, part_size, threads, options, digest)
                                    : fan_out(**input, sinks, options);
  if (!size) return fail(size.error(), path.string());
  digest.size = *size;
  if (multipart) {
    digest.etag = etag_from_part_digests(digest.part_md5s);
  } else {
    digest.md5 = digest.etag = to_hex(md5.md5.finish());
  }
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
