// ETag math against values computed independently (Python hashlib).
#include "integrity/etag.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace rawbackup {
namespace {

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 251));
  return s;
}

std::string etag_of(const std::string& data, uint64_t part_size, size_t chunk = 1) {
  EtagBuilder builder(part_size);
  auto bytes = std::as_bytes(std::span(data));
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    builder.update(bytes.subspan(i, std::min(chunk, bytes.size() - i)));
  }
  return builder.finish();
}

TEST(Etag, EmptyFileIsMd5OfNothing) { EXPECT_EQ(etag_of("", 4), "d41d8cd98f00b204e9800998ecf8427e"); }

TEST(Etag, SmallerThanOnePartIsPlainMd5) {
  EXPECT_EQ(etag_of(pattern(3), 4), "b95f67f61ebb03619622d798f45fc2d3");
  EXPECT_EQ(etag_of(pattern(3), 4), md5_hex(pattern(3)));
}

TEST(Etag, ExactlyOnePartIsPlainMd5) { EXPECT_EQ(etag_of(pattern(4), 4), "37b59afd592725f9305e484a5d7f5168"); }

TEST(Etag, ExactMultipleOfPartSize) { EXPECT_EQ(etag_of(pattern(8), 4), "e068be432789f503175bbb1fd503b27a-2"); }

TEST(Etag, LastPartShort) {
  EXPECT_EQ(etag_of(pattern(10), 4), "4a189077b70cf1ee89e5a2e8b7f5770a-3");
  EXPECT_EQ(etag_of(pattern(10), 3), "d7b629f0455c5a0c369ffd5b78da3cd1-4");
}

TEST(Etag, IndependentOfHowBytesArrive) {
  std::string data = test_data(3 * 1048576 + 12345);
  for (size_t chunk : {size_t{1000}, size_t{65536}, size_t{1048576}, size_t{3000000}}) {
    EXPECT_EQ(etag_of(data, 1048576, chunk), "4ba8785d64e632177c82360c0b342a64-4") << chunk;
  }
  EXPECT_EQ(md5_hex(data), "deae6d0e0c73d9cd6774f453932190ca");
}

TEST(Etag, PartCount) {
  EXPECT_EQ(part_count(0, 5), 1u);
  EXPECT_EQ(part_count(5, 5), 1u);
  EXPECT_EQ(part_count(6, 5), 2u);
  EXPECT_EQ(part_count(10, 5), 2u);
  EXPECT_EQ(part_count(100ULL << 30, 500ULL << 20), 205u);
}

TEST(Etag, MatchesAcceptsMultipartFormOrWholeMd5) {
  EXPECT_TRUE(etag_matches("\"abc-2\"", "def", "abc-2"));
  EXPECT_TRUE(etag_matches("def", "def", "abc-2"));
  EXPECT_FALSE(etag_matches("abc-3", "def", "abc-2"));
  EXPECT_FALSE(etag_matches("", "def", "abc-2"));
}

}  // namespace
}  // namespace rawbackup

namespace rawbackup {
namespace {

TEST(PartSize, GrowsToStayWithinTenThousandParts) {
  const uint64_t mib = 1 << 20;
  EXPECT_EQ(part_size_for(10000 * 5 * mib, 5 * mib), 5 * mib);      // exactly 10,000 parts
  EXPECT_EQ(part_size_for(10000 * 5 * mib + 1, 5 * mib), 6 * mib);  // one byte more: grows
  EXPECT_EQ(part_size_for(100ULL << 30, 5 * mib), 11 * mib);        // 100 GiB
  EXPECT_LE(part_count(100ULL << 30, part_size_for(100ULL << 30, 5 * mib)), 10000U);
  EXPECT_EQ(part_size_for(100ULL << 30, 500 * mib), 500 * mib);
}

TEST(Etag, MultipartFormAlsoForOnePart) {
  Md5Digest part{};
  std::string one = multipart_etag(std::span(&part, 1));
  EXPECT_TRUE(one.ends_with("-1")) << one;
  EXPECT_EQ(one.size(), 34U);
}

}  // namespace
}  // namespace rawbackup
