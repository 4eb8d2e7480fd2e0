#include "storage/file_hasher.h"

#include <future>
#include <optional>
#include <vector>

#include "integrity/etag.h"
#include "integrity/hash_sinks.h"
#include "storage/block_fanout.h"

namespace rawbackup {

HashThreads hash_threads_for(size_t large_files, unsigned workers) {
  return large_files * 2 <= workers ? HashThreads::two : HashThreads::one;
}

namespace {

// The reader's thread, with two threads: the file's MD5, and the part MD5s too (two lanes)
// until `split`, where it hands a copy on to TailSink and goes on with the file's MD5 alone.
class LeadSink final : public BlockSink {
 public:
  LeadSink(uint64_t part_size, uint64_t split) : digests_(part_size), split_(split) {
    if (split_ == 0) hand_over();
  }
  Status consume(std::span<const std::byte> block) override {
    if (at_ < split_ && at_ + block.size() >= split_) {
      size_t before = static_cast<size_t>(split_ - at_);
      digests_.update(block.first(before));
      hand_over();
      block = block.subspan(before);
      at_ = split_;
    }
    digests_.update(block);
    at_ += block.size();
    return {};
  }
  Md5WithParts& digests() { return digests_; }
  std::future<Md5WithParts> handed() { return handover_.get_future(); }

 private:
  void hand_over() {
    handover_.set_value(digests_.without_whole());
    digests_.drop_parts();
  }
  Md5WithParts digests_;
  uint64_t split_, at_ = 0;
  std::promise<Md5WithParts> handover_;
};

// The second thread: the part MD5s from `split` on, from the part lane's state there (which
// the reader hands over once it has hashed every byte before it; the reader publishes a block
// before hashing it, so this may wait for that briefly).
class TailSink final : public BlockSink {
 public:
  TailSink(uint64_t split, std::future<Md5WithParts> handed) : split_(split), handed_(std::move(handed)) {}
  Status consume(std::span<const std::byte> block) override {
    uint64_t end = at_ + block.size();
    if (end > split_) {
      if (!digests_) digests_ = handed_.get();
      digests_->update(block.subspan(at_ < split_ ? static_cast<size_t>(split_ - at_) : 0));
    }
    at_ = end;
    return {};
  }
  std::optional<Md5WithParts>& digests() { return digests_; }

 private:
  uint64_t split_, at_ = 0;
  std::future<Md5WithParts> handed_;
  std::optional<Md5WithParts> digests_;
};

// The share of a file's bytes whose part MD5s the reader's thread computes beside the file's
// MD5 when a second thread does the rest. That thread bounds the wall time (a file's MD5
// cannot be split) and two lanes cost it about 1.2x one: a fifth keeps it under md5sum's
// time (0.94-0.98x) and saves 7% of the CPU; a third saved 12% but took md5sum's 1.00x
// (bench/RESULTS.md, issue 37).
constexpr uint64_t lead_share_denominator = 5;

// Both digests of a file larger than one part, on one thread or two.
Result<uint64_t> hash_parts(InputFile& input, uint64_t expected_size, uint64_t part_size, HashThreads threads,
                            const FanOutOptions& options, FileDigest& digest) {
  if (threads == HashThreads::one) {
    Md5WithPartsSink both(part_size);
    std::vector<BlockSink*> sinks{&both};
    TRY_ASSIGN(size, fan_out(input, sinks, options));
    digest.md5 = to_hex(both.digests.finish());
    digest.part_md5s = both.digests.part_digests();
    return size;
  }
  constexpr uint64_t mib = uint64_t{1} << 20;  // a whole number of mapped windows
  uint64_t split = expected_size / lead_share_denominator / mib * mib;
  LeadSink lead(part_size, split);
  TailSink tail(split, lead.handed());
  std::vector<BlockSink*> sinks{&lead, &tail};
  TRY_ASSIGN(size, fan_out(input, sinks, options));
  digest.md5 = to_hex(lead.digests().finish());
  if (tail.digests()) tail.digests()->finish();
  // The file ended before `split` (it shrank): the reader made every part MD5.
  digest.part_md5s = (tail.digests() ? *tail.digests() : lead.digests()).part_digests();
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
    // costs most in VMs (issue 36: 1.39x the parallel md5sum instead of 1.16-1.26x).
    options.map_bytes = 0;
    options.block_size = 128 * 1024;
    options.ring_blocks = 1;
  }
  FileDigest digest;
  Md5Sink md5;
  std::vector<BlockSink*> sinks{&md5};
  Result<uint64_t> size = multipart ? hash_parts(**input, stat->size, part_size, threads, options, digest)
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
