// backup.s3's encryption and storage-class settings, and their per-project overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/result.h"
#include "config/config.h"

namespace rawbackup {
namespace {

std::string with_s3(const std::string& extra) {
  return R"(
store:
  path: var/r.sqlite
instruments:
  astral1: {type: thermo, path: /data/astral1}
locations:
  backup: /data/backup
backup:
  backup_type: s3
  s3:
    bucket_prefix: facility
)" + extra;
}

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/etc/rawbackup/c.yaml");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(S3ObjectsConfig, DefaultsAskForNothing) {
  Config c = parse_config(with_s3(""), "/etc/rawbackup/c.yaml");
  EXPECT_EQ(c.s3->objects, ObjectWriteSettings{});
  EXPECT_EQ(c.s3->objects.describe(), "the bucket's default encryption, storage class the bucket's default");
}

TEST(S3ObjectsConfig, KmsAndAStorageClassWithAProjectOverride) {
  Config c = parse_config(with_s3(R"(    sse: aws:kms
    kms_key_id: alias/raw-data
    bucket_key: true
    storage_class: STANDARD_IA
    projects:
      PRID9: {storage_class: DEEP_ARCHIVE}
      PRID3: {sse: AES256}
      PRID4: {sse_c_key_file: keys/prid4.key, sse: none}
)"),
                          "/etc/rawbackup/c.yaml");
  const ObjectWriteSettings& all = c.s3->objects;
  EXPECT_EQ(all, (ObjectWriteSettings{"aws:kms", "alias/raw-data", true, {}, "STANDARD_IA"}));
  EXPECT_EQ(c.s3->objects_for("PRID9"), (ObjectWriteSettings{"aws:kms", "alias/raw-data", true, {}, "DEEP_ARCHIVE"}));
  EXPECT_EQ(c.s3->objects_for("PRID3"), (ObjectWriteSettings{"AES256", "", false, {}, "STANDARD_IA"}));
  EXPECT_EQ(c.s3->objects_for("PRID4").sse_c_key_file, "/etc/rawbackup/keys/prid4.key");
  EXPECT_EQ(c.s3->objects_for("PRID1"), all);
  // The key id is a secret: never in what doctor or a message prints.
  EXPECT_EQ(all.describe(), "SSE-KMS (the configured key), bucket key, storage class STANDARD_IA");
}

TEST(S3ObjectsConfig, MistakesAreOneLineErrors) {
  EXPECT_EQ(error_of(with_s3("    sse: kms\n")),
            "/etc/rawbackup/c.yaml: backup.s3.sse: must be one of none, AES256, aws:kms, got 'kms'");
  EXPECT_EQ(error_of(with_s3("    kms_key_id: alias/x\n")), "/etc/rawbackup/c.yaml: backup.s3.kms_key_id: needs sse: aws:kms");
  EXPECT_EQ(error_of(with_s3("    sse: AES256\n    bucket_key: true\n")),
            "/etc/rawbackup/c.yaml: backup.s3.bucket_key: needs sse: aws:kms");
  EXPECT_THAT(error_of(with_s3("    sse: aws:kms\n    sse_c_key_file: /k\n")),
              ::testing::HasSubstr("backup.s3.sse_c_key_file: cannot be combined with sse: aws:kms"));
  EXPECT_THAT(error_of(with_s3("    storage_class: \"deep archive\"\n")),
              ::testing::HasSubstr("backup.s3.storage_class: must be a storage class name"));
  EXPECT_EQ(error_of(with_s3("    projects:\n      PRID1: {storage_clas: GLACIER}\n")),
            "/etc/rawbackup/c.yaml: backup.s3.projects.PRID1.storage_clas: unknown key (typo?)");
}

}  // namespace
}  // namespace rawbackup
