// One pass over a file yields its size, MD5 and S3 ETag.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "integrity/md5.h"
#include "storage/filesystem.h"

namespace rawbackup {

struct FileDigest {
  uint64_t size = 0;
  std::string md5;   // hex
  std::string etag;  // as S3 reports it for `part_size`, without quotes
  // MD5 of each part, for a file of more than one part (a one-part file's is its MD5).
  std::vector<Md5Digest> part_md5s;
};

// How a file larger than one part is hashed. `one`: both digests on the calling thread, two
// MD5 lanes in one pass (integrity/md5_lanes.h): 0.6x the CPU, for files hashed while other
// files keep the other cores busy. `two`: the whole-file MD5 on the calling thread, with the
// part MD5s of the first fifth of the file beside it, the other part MD5s on a second thread
// fed the same mapped windows: the least wall time for a file hashed while cores are idle.
enum class HashThreads { one, two };

// `two` only while a core would otherwise idle: fewer files larger than a part than half
// the workers hashing them.
HashThreads hash_threads_for(size_t large_files, unsigned workers);

// Reads `path` once; memory stays small whatever the size (one 128 KiB buffer on one thread,
// 4 MiB of mapped windows on two). `on_bytes` is called as bytes are read (progress).
Result<FileDigest> hash_file(const FileSystem& fs, const std::filesystem::path& path, uint64_t part_size,
                             const std::function<void(size_t)>& on_bytes = {}, HashThreads threads = HashThreads::two);

// A file's MD5 and its multipart ETag ("hex-N", also for one part) at each of several part
// sizes, from one read: each ETag on a thread of its own beside the MD5 (as checksum does).
struct EtagsAt {
  uint64_t size = 0;
  std::string md5;                 // hex
  std::vector<std::string> etags;  // etags[i] for part_sizes[i]
};
Result<EtagsAt> hash_file_at_part_sizes(const FileSystem& fs, const std::filesystem::path& path,
                                        std::span<const uint64_t> part_sizes,
                                        const std::function<void(size_t)>& on_bytes = {});

}  // namespace rawbackup
