// Hashers as block sinks (fed by storage/block_fanout.h).
#pragma once
#include "integrity/block_sink.h"
#include "integrity/etag.h"
#include "integrity/md5.h"
#include "integrity/md5_lanes.h"

namespace rawbackup {

class Md5Sink final : public BlockSink {
 public:
  Status consume(std::span<const std::byte> block) override {
    md5.update(block);
    return {};
  }
  Md5 md5;
};

class EtagSink final : public BlockSink {
 public:
  explicit EtagSink(uint64_t part_size) : etag(part_size) {}
  Status consume(std::span<const std::byte> block) override {
    etag.update(block);
    return {};
  }
  EtagBuilder etag;
};

// The file's MD5 and its part MD5s on the thread that reads (integrity/md5_lanes.h).
class Md5WithPartsSink final : public BlockSink {
 public:
  explicit Md5WithPartsSink(uint64_t part_size) : digests(part_size) {}
  Status consume(std::span<const std::byte> block) override {
    digests.update(block);
    return {};
  }
  Md5WithParts digests;
};

}  // namespace rawbackup
