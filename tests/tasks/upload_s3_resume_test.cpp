// upload-s3 with the part MD5s checksum recorded: no client-side hashing, resume without local
// reads, an interruption at every phase kept for a resume, bytes that differ from the record
// refused (by the server's Content-MD5 check, or by the returned ETag where a server ignores it).
#include <gmock/gmock.h>

#include "common/interrupt.h"
#include "tasks/copy_local.h"
#include "upload_fixture.h"

namespace rawbackup {
namespace {

class UploadS3Resume : public UploadS3 {
 protected:
  ~UploadS3Resume() override {
    set_interrupted(false);
    fs_.on_open(nullptr);
  }
  Result<TaskOutput> upload_one_at_a_time(const std::string& id, const std::string& max_bandwidth = "") {
    return run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 1, max_bandwidth});
  }
  // SIGTERM as the `n`th file is opened (counting from now).
  void interrupt_at_open(int n) {
    auto opened = std::make_shared<int>(0);
    fs_.on_open([opened, n](const std::string&) {
      if (++*opened == n) set_interrupted(true);
    });
  }
  // The record as if checksummed before rawbackup kept part MD5s.
  void forget_part_md5s(const std::string& id) {
    RawFile r = record(id);
    for (auto& [path, entry] : r.file_info) entry.part_md5s.clear();
    RecordChange change;
    change.file_info = r.file_info;
    ASSERT_TRUE(store_.update(id, change));
  }
  // The run ended interrupted with the upload kept; a re-run finishes it sending `resent` parts.
  void expect_kept_then_resumed(const Result<TaskOutput>& out, int resent) {
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, ErrorKind::interrupted) << out.error().message;
    EXPECT_EQ(s3_.calls("abort_multipart_upload"), 0);
    EXPECT_EQ(record(id_).s3_uploads.size(), 1U);
    EXPECT_EQ(s3_.uploads_in_progress(), 1U);
    set_interrupted(false);
    fs_.on_open(nullptr);
    int sent = s3_.calls("upload_part");
    auto again = upload_one_at_a_time(id_);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(s3_.calls("upload_part") - sent, resent);
    EXPECT_EQ(s3_.calls("create_multipart_upload"), 1);
    EXPECT_EQ(s3_.object_data("b-prid7", id_), big);
    EXPECT_TRUE(record(id_).s3_uploads.empty());
  }

  void SetUp() override {
    add_checksummed(id_, big);
    ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  }

  const std::string id_ = "a_PRID7_x.raw";
};

TEST_F(UploadS3Resume, ChecksumRecordsEveryPartMd5) {
  const FileEntry& entry = record(id_).file_info.at(id_);
  ASSERT_EQ(entry.part_md5s.size(), 3U);
  EXPECT_EQ(to_hex(entry.part_md5s[2]), md5_hex(big.substr(10 << 20)));
}

TEST_F(UploadS3Resume, EachByteIsReadOnceAndSentWithTheRecordedMd5) {
  uint64_t before = fs_.bytes_read();
  ASSERT_TRUE(upload_one_at_a_time(id_));
  EXPECT_EQ(fs_.bytes_read() - before, big.size());
}

TEST_F(UploadS3Resume, ARecordWithoutPartMd5sHashesEachPartBeforeSendingIt) {
  forget_part_md5s(id_);
  uint64_t before = fs_.bytes_read();
  ASSERT_TRUE(upload_one_at_a_time(id_));
  EXPECT_EQ(fs_.bytes_read() - before, 2 * big.size());
  EXPECT_EQ(s3_.object_data("b-prid7", id_), big);
}

// ListParts' ETags are compared with the recorded part MD5s: the kept part is not read.
TEST_F(UploadS3Resume, ResumeReadsOnlyThePartsItSends) {
  s3_.inject("upload_part", {500, "InternalError", "retries exhausted", ""}, 1, 1);  // part 2
  ASSERT_FALSE(upload_one_at_a_time(id_));
  uint64_t before = fs_.bytes_read();
  ASSERT_TRUE(upload_one_at_a_time(id_));
  EXPECT_EQ(fs_.bytes_read() - before, big.size() - (5 << 20));
  EXPECT_EQ(s3_.calls("upload_part"), 4);
}

TEST_F(UploadS3Resume, InterruptedWhileSendingAPart) {
  interrupt_at_open(2);  // part 2's body
  expect_kept_then_resumed(upload_one_at_a_time(id_), 2);
}

TEST_F(UploadS3Resume, InterruptedWhileHashingAPartOfAnOldRecord) {
  forget_part_md5s(id_);
  interrupt_at_open(2);  // part 2's MD5 pass, before anything of it is sent
  auto out = upload_one_at_a_time(id_);
  EXPECT_EQ(s3_.calls("upload_part"), 1);
  expect_kept_then_resumed(out, 2);
}

TEST_F(UploadS3Resume, InterruptedWhileWaitingForTheBandwidthCap) {
  interrupt_at_open(1);
  expect_kept_then_resumed(upload_one_at_a_time(id_, "1MB/s"), 3);
}

TEST_F(UploadS3Resume, InterruptedWhileListingThePartsOfTheUploadToResume) {
  s3_.inject("upload_part", {500, "InternalError", "retries exhausted", ""}, 1, 1);
  ASSERT_FALSE(upload_one_at_a_time(id_));
  s3_.inject("list_parts", s3::local_error(s3::S3ErrorOrigin::interrupted, "interrupted"));
  auto out = upload_one_at_a_time(id_);
  EXPECT_EQ(s3_.calls("create_multipart_upload"), 1);  // not a new upload
  expect_kept_then_resumed(out, 2);
}

TEST_F(UploadS3Resume, InterruptedWhileCompleting) {
  s3_.inject("complete_multipart_upload", s3::local_error(s3::S3ErrorOrigin::interrupted, "interrupted"));
  expect_kept_then_resumed(upload_one_at_a_time(id_), 0);
}

// Complete went through but its check did not: the re-run finds the object whole, verifies
// it by HEAD and forgets the upload.
TEST_F(UploadS3Resume, InterruptedInTheHeadAfterComplete) {
  s3_.inject("head_object", s3::local_error(s3::S3ErrorOrigin::interrupted, "interrupted"), 1,
             1);  // after the plan's HEAD
  auto out = upload_one_at_a_time(id_);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::interrupted);
  EXPECT_EQ(record(id_).s3_uploads.size(), 1U);
  auto again = upload_one_at_a_time(id_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->result["skipped"], 1);
  EXPECT_EQ(s3_.calls("upload_part"), 3);
  EXPECT_TRUE(record(id_).s3_uploads.empty());
  EXPECT_EQ(record(id_).backup_status, BackupStatus::done);
}

// A server that ignores Content-MD5 (s3rver) stores the changed part: its ETag is not the
// recorded MD5, the local part is hashed and found changed: a conflict, nothing completed.
TEST_F(UploadS3Resume, ChangedSourceIsCaughtByThePartEtagWhereContentMd5IsIgnored) {
  testing::MemoryObjectStore s3rver_like({.whole_md5_etags = true, .ignore_content_md5 = true});
  ASSERT_TRUE(s3rver_like.create_bucket("b-prid7"));
  std::string changed = big;
  changed[1] = 'X';
  fs_.add_file("/data/astral1/" + id_, changed, t0);
  Context ctx = s3_context();
  ctx.objects = [&]() -> ObjectStore& { return s3rver_like; };
  auto out = run_upload_s3(ctx, UploadS3Options{id_, false, 0, 1});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("part 1 of s3://b-prid7/a_PRID7_x.raw (bytes 0–5242879"))
      << out.error().message;
  EXPECT_EQ(s3rver_like.calls("complete_multipart_upload"), 0);
  EXPECT_EQ(s3rver_like.uploads_in_progress(), 0U);
}

class UploadS3BadCopy : public UploadS3 {
 protected:
  // A 5-byte file backed up by copy-local, then its backup copy corrupted (same size).
  void SetUp() override {
    add_checksummed(id_, "small");
    ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{id_, false, false}));
    auto copies = fs_.files_containing(id_);
    for (const std::string& path : copies) {
      if (path.starts_with("/backup/")) fs_.change_content_behind_stat(path, "SMALL");
    }
  }
  void expect_bad_copy_named(const Result<TaskOutput>& out) {
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, ErrorKind::mismatch);
    EXPECT_THAT(out.error().message, ::testing::HasSubstr("the local backup copy /backup/")) << out.error().message;
    EXPECT_THAT(out.error().message, ::testing::HasSubstr("copy-local --overwrite"));
    EXPECT_EQ(record(id_).backup_status, BackupStatus::failed);
  }
  const std::string id_ = "a_PRID7_x.raw";
};

// The recorded MD5 as Content-MD5: the server refuses the corrupted copy; nothing lands.
TEST_F(UploadS3BadCopy, TheServerRefusesItAgainstTheRecordedMd5) {
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  expect_bad_copy_named(upload(id_));
  EXPECT_EQ(s3_.calls("put_object"), 1);
  EXPECT_FALSE(s3_.object_data("b-prid7", id_));
}

// A server that ignores Content-MD5 stores it: the object is deleted, never left under its key.
TEST_F(UploadS3BadCopy, AServerIgnoringContentMd5HasTheObjectDeleted) {
  testing::MemoryObjectStore s3rver_like({.whole_md5_etags = true, .ignore_content_md5 = true});
  ASSERT_TRUE(s3rver_like.create_bucket("b-prid7"));
  Context ctx = s3_context();
  ctx.objects = [&]() -> ObjectStore& { return s3rver_like; };
  expect_bad_copy_named(run_upload_s3(ctx, UploadS3Options{id_, false, 0, 0}));
  EXPECT_EQ(s3rver_like.calls("delete_object"), 1);
  EXPECT_FALSE(s3rver_like.object_data("b-prid7", id_));
}

TEST_F(UploadS3, OptionsAreCheckedBeforeTheBackupTypeSkip) {
  config_.backup_type = BackupType::local;
  auto out = run_upload_s3(context(), UploadS3Options{"x.raw", false, 99, 0, "-5MB/s"});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("--max-bandwidth"));
}

}  // namespace
}  // namespace rawbackup
