// Throughput of the hashing pieces on data in memory: one MD5, the ETag builder, and the
// fan-out of both over a file (what checksum does per file).
#include <benchmark/benchmark.h>

#include <cstring>

#include "integrity/hash_sinks.h"
#include "storage/block_fanout.h"

namespace rawbackup {
namespace {

const std::vector<std::byte>& buffer() {
  static std::vector<std::byte> data = [] {
    std::vector<std::byte> d(64 << 20);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::byte>((i * 131) >> 3);
    return d;
  }();
  return data;
}

void BM_Md5(benchmark::State& state) {
  for (auto _ : state) {
    Md5 md5;
    md5.update(buffer());
    benchmark::DoNotOptimize(md5.finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer().size()));
}
BENCHMARK(BM_Md5)->Unit(benchmark::kMillisecond);

void BM_EtagBuilder(benchmark::State& state) {
  for (auto _ : state) {
    EtagBuilder etag(8 << 20);
    etag.update(buffer());
    benchmark::DoNotOptimize(etag.finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer().size()));
}
BENCHMARK(BM_EtagBuilder)->Unit(benchmark::kMillisecond);

// Both digests checksum needs (the file's MD5 and the part MD5s), two lanes on one thread.
void BM_Md5WithParts(benchmark::State& state) {
  for (auto _ : state) {
    Md5WithParts both(8 << 20);
    both.update(buffer());
    benchmark::DoNotOptimize(both.finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer().size()));
}
BENCHMARK(BM_Md5WithParts)->Unit(benchmark::kMillisecond);

void BM_Md5Lane(benchmark::State& state) {
  for (auto _ : state) {
    Md5Lane md5;
    md5.update(buffer());
    benchmark::DoNotOptimize(md5.finish());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer().size()));
}
BENCHMARK(BM_Md5Lane)->Unit(benchmark::kMillisecond);

class MemoryInput final : public InputFile {
 public:
  void seek(uint64_t offset) override { offset_ = static_cast<size_t>(offset); }
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min(buf.size(), buffer().size() - offset_);
    std::memcpy(buf.data(), buffer().data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  size_t offset_ = 0;
};

// Two MD5 sinks over one read stream, as checksum runs them for a multipart file.
void BM_FanOutTwoMd5(benchmark::State& state) {
  for (auto _ : state) {
    MemoryInput input;
    Md5Sink a, b;
    std::vector<BlockSink*> sinks{&a, &b};
    benchmark::DoNotOptimize(fan_out(input, sinks));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buffer().size()));
}
BENCHMARK(BM_FanOutTwoMd5)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace rawbackup
