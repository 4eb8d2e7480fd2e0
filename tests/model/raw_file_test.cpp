// What a record's file entry says about its parts.
#include "model/raw_file.h"

#include <gtest/gtest.h>

namespace rawbackup {
namespace {

TEST(FileEntry, PartMd5AppliesOnlyAtTheRecordedPartSize) {
  FileEntry one;
  one.size = 10;
  one.md5 = std::string(32, 'a');
  one.part_size = 100;
  EXPECT_EQ(one.part_md5_hex(100, 0), one.md5);  // one part: the file's MD5
  EXPECT_EQ(one.part_md5_hex(100, 1), "");

  FileEntry three;
  three.size = 250;
  three.part_size = 100;
  three.part_md5s = {Md5Digest{}, Md5Digest{}, Md5Digest{}};
  three.part_md5s[2][0] = 0xab;
  EXPECT_EQ(three.part_md5_hex(100, 2), "ab" + std::string(30, '0'));
  EXPECT_EQ(three.part_md5_hex(50, 0), "");  // recorded at another part size
  three.part_md5s.clear();
  EXPECT_EQ(three.part_md5_hex(100, 0), "");  // a record from before part MD5s were kept
}

}  // namespace
}  // namespace rawbackup
