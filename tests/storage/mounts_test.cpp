#include "storage/mounts.h"

#include <gtest/gtest.h>

namespace rawbackup {
namespace {

// As /proc/self/mountinfo shows them: a root, an NFS backup share with a space in its mount
// point, a CIFS instrument share, and a bindfs mounted twice on one point (the last hides).
constexpr const char* mountinfo =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
    "40 22 0:50 / /mnt/nas\\040backup rw,relatime shared:30 - nfs4 nas:/export rw,vers=4.2,acregmax=30\n"
    "41 22 0:51 / /mnt/astral1 rw,relatime - cifs //pc/raw rw,vers=3.1.1,actimeo=30\n"
    "42 22 0:52 / /mnt/b rw - fuse.bindfs bindfs rw,user_id=0\n"
    "43 22 0:53 / /mnt/b rw - tmpfs tmpfs rw,size=1024k\n"
    "garbage line\n";

TEST(Mounts, TheLongestMountPointHoldingThePathWins) {
  auto nas = mount_holding(mountinfo, "/mnt/nas backup/astral1/2026_12");
  ASSERT_TRUE(nas);
  EXPECT_EQ(nas->fs_type, "nfs4");
  EXPECT_EQ(nas->mount_point, "/mnt/nas backup");
  EXPECT_EQ(nas->source, "nas:/export");
  EXPECT_EQ(nas->options, "rw,relatime,rw,vers=4.2,acregmax=30");
  auto root = mount_holding(mountinfo, "/mnt/nas");  // not "/mnt/nas backup": a prefix of a name
  ASSERT_TRUE(root);
  EXPECT_EQ(root->fs_type, "ext4");
  EXPECT_EQ(mount_holding(mountinfo, "/mnt/astral1")->fs_type, "cifs");
}

TEST(Mounts, OfTwoMountsOnOnePointTheLastHidesTheFirst) {
  EXPECT_EQ(mount_holding(mountinfo, "/mnt/b/x")->fs_type, "tmpfs");
}

TEST(Mounts, NoneWhenNothingHoldsThePath) { EXPECT_FALSE(mount_holding("garbage\n", "/x")); }

TEST(Mounts, OptionValues) {
  EXPECT_EQ(mount_option("rw,actimeo=30,vers=3", "actimeo"), "30");
  EXPECT_EQ(mount_option("rw,actimeo=30", "vers"), std::nullopt);
  EXPECT_EQ(mount_option("rw,xactimeo=30", "actimeo"), std::nullopt);
}

TEST(Mounts, AttributeCacheOfNetworkSharesOnly) {
  EXPECT_EQ(attribute_cache_seconds(*mount_holding(mountinfo, "/mnt/astral1")), 30);
  EXPECT_EQ(attribute_cache_seconds({"/m", "cifs", "//pc/raw", "rw"}), 1);  // the CIFS client's default
  EXPECT_EQ(attribute_cache_seconds({"/m", "nfs", "s:/e", "rw"}), 60);
  EXPECT_EQ(attribute_cache_seconds({"/m", "nfs4", "s:/e", "rw,noac"}), 0);
  EXPECT_EQ(attribute_cache_seconds(*mount_holding(mountinfo, "/mnt/nas backup")), 60);  // acdirmax's default
  EXPECT_EQ(attribute_cache_seconds({"/", "ext4", "/dev/sda1", "rw"}), std::nullopt);
}

}  // namespace
}  // namespace rawbackup
