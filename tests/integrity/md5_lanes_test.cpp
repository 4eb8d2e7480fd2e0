#include "integrity/md5_lanes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "integrity/etag.h"

namespace rawbackup {
namespace {

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen());
  return out;
}

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

std::string lane_md5(const std::string& data, size_t chunk) {
  Md5Lane lane;
  for (size_t at = 0; at < data.size(); at += chunk) lane.update(bytes_of(data).subspan(at, std::min(chunk, data.size() - at)));
  return to_hex(lane.finish());
}

TEST(Md5Lane, Rfc1321Vectors) {
  EXPECT_EQ(lane_md5("", 1), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(lane_md5("abc", 1), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(lane_md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890", 7),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Lane, EqualsOpenSslAtEveryLengthAroundTheBlockAndPaddingEdges) {
  std::string data = random_bytes(300, 1);
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string prefix = data.substr(0, n);
    for (size_t chunk : {1UL, 13UL, 64UL, 1000UL}) ASSERT_EQ(lane_md5(prefix, chunk), md5_hex(prefix)) << n << " " << chunk;
  }
}

TEST(Md5Lane, FinishStartsOver) {
  Md5Lane lane;
  lane.update(bytes_of("abc"));
  lane.finish();
  lane.update(bytes_of("abc"));
  EXPECT_EQ(to_hex(lane.finish()), "900150983cd24fb0d6963f7d28e17f72");
}

// The two digests of Md5WithParts equal OpenSSL's whole-file MD5 and EtagBuilder's part MD5s,
// for parts that are multiples of 64 bytes (two lanes) and that are not (one lane each), fed
// in chunks that split blocks and parts anywhere.
TEST(Md5WithParts, EqualsTheFileMd5AndTheEtagParts) {
  std::string data = random_bytes(10'000, 2);
  for (uint64_t part_size : {64UL, 640UL, 1000UL, 4096UL, 10'000UL, 20'000UL}) {
    for (size_t length : {0UL, 1UL, 63UL, 64UL, 640UL, 641UL, 9'999UL, 10'000UL}) {
      for (size_t chunk : {1UL, 100UL, 4096UL}) {
        std::string file = data.substr(0, length);
        Md5WithParts both(part_size);
        EtagBuilder etag(part_size);
        for (size_t at = 0; at < file.size(); at += chunk) {
          both.update(bytes_of(file).subspan(at, std::min(chunk, file.size() - at)));
        }
        etag.update(bytes_of(file));
        etag.finish();
        ASSERT_EQ(to_hex(both.finish()), md5_hex(file)) << part_size << " " << length << " " << chunk;
        ASSERT_EQ(both.part_digests(), etag.part_digests()) << part_size << " " << length << " " << chunk;
      }
    }
  }
}

}  // namespace
}  // namespace rawbackup
