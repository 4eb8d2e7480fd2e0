// What the verify and restore tests share: a raw file checksummed, copied to the local backup
// and uploaded to the in-memory S3, and the two tasks run on it.
#pragma once
#include "fakes/memory_object_store.h"
#include "integrity/etag.h"
#include "integrity/md5.h"
#include "task_fixture.h"
#include "tasks/checksum.h"
#include "tasks/copy_local.h"
#include "tasks/restore.h"
#include "tasks/upload_s3.h"
#include "tasks/verify.h"

namespace rawbackup {

// The ETag of `data` at 5 MiB parts, as the fixture's config uploads it.
inline std::string md5_etag_of(const std::string& data) {
  std::vector<Md5Digest> parts;
  for (size_t at = 0; at < data.size(); at += 5 << 20) {
    Md5 md5;
    md5.update(std::string_view(data).substr(at, 5 << 20));
    parts.push_back(md5.finish());
  }
  return etag_from_part_digests(parts);
}

class VerifyRestore : public TaskFixture {
 protected:
  static constexpr int64_t t0 = 1'763'000'000'000'000'000;
  const std::string big = std::string(6 << 20, 'b') + "tail";  // 2 parts of 5 MiB
  const std::string id = "a_PRID7_x.raw";
  const std::string local_copy = "/backup/astral1/2025_11/a_PRID7_x.raw";

  VerifyRestore() { config_.backup_type = BackupType::s3; }

  Context s3_context() {
    Context ctx = context();
    ctx.objects = [this]() -> ObjectStore& { return s3_; };
    return ctx;
  }
  // Checksummed, copied locally and uploaded.
  void backed_up(const std::string& data) {
    fs_.add_file("/data/astral1/" + id, data, t0);
    ChecksumOptions checksum;
    checksum.instrument = "astral1";
    checksum.name = id;
    ASSERT_TRUE(run_checksum(context(), checksum));
    ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{id, false, false}));
    ASSERT_TRUE(s3_.create_bucket("b-prid7"));
    ASSERT_TRUE(run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0}));
  }
  // A Bruker set of `files` small files (contents "file N") plus analysis.tdf, checksummed and
  // uploaded.
  void set_uploaded(const std::string& set, int files) {
    fs_.add_file("/data/timstof1/" + set + "/analysis.tdf", "t", t0);
    for (int i = 0; i < files; ++i) {
      fs_.add_file("/data/timstof1/" + set + "/f" + std::to_string(i), "file " + std::to_string(i), t0);
    }
    ChecksumOptions checksum;
    checksum.instrument = "timstof1";
    checksum.name = set;
    ASSERT_TRUE(run_checksum(context(), checksum));
    ASSERT_TRUE(s3_.create_bucket("b-prid7"));
    ASSERT_TRUE(run_upload_s3(s3_context(), UploadS3Options{set, false, 0, 0}));
  }
  TaskOutput verify(bool local = false, bool s3 = false, bool deep = false) {
    auto out = run_verify(s3_context(), VerifyOptions{{id}, local, s3, deep});
    EXPECT_TRUE(out);
    return *out;
  }
  Result<TaskOutput> restore(std::optional<BackupPlace> from, bool dry_run = false) {
    return run_restore(s3_context(), RestoreOptions{id, from, "/restore", dry_run});
  }

  testing::MemoryObjectStore s3_;
};

}  // namespace rawbackup
