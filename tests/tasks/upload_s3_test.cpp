#include "tasks/upload_s3.h"

#include <gmock/gmock.h>

#include "common/interrupt.h"
#include "integrity/md5.h"
#include "tasks/copy_local.h"
#include "upload_fixture.h"

namespace rawbackup {
namespace {

TEST_F(UploadS3, NotS3IsSkippedWithTheRequestedExitCode) {
  config_.backup_type = BackupType::local;
  auto out = run_upload_s3(context(), UploadS3Options{"x.raw", false, 99, 0});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["outcome"], "skipped");
  EXPECT_EQ(out->exit_code, 99);
}

TEST_F(UploadS3, NeedsAChecksum) {
  auto out = upload("none.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
}

TEST_F(UploadS3, MissingBucketFailsBeforeAnyObjectRequest) {
  add_checksummed("a_PRID7_x.raw", "abc");
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "bucket b-prid7 does not exist (region us-east-1, endpoint memory://)");
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, BackupStatus::failed);
  EXPECT_EQ(s3_.calls("head_object"), 0);
}

TEST_F(UploadS3, AccessDeniedIsSaidSo) {
  add_checksummed("a_PRID7_x.raw", "abc");
  s3_.inject("head_bucket", {403, "AccessDenied", "Access Denied", ""});
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "access to bucket b-prid7 denied");
}

// A bucket in another region is a config problem: exit 2, the record left as it was.
TEST_F(UploadS3, ABucketInAnotherRegionIsAUsageErrorAndRecordsNothing) {
  add_checksummed("a_PRID7_x.raw", "abc");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  BackupStatus before = record("a_PRID7_x.raw").backup_status;
  s3_.inject("head_bucket", {301, "WrongRegion",
                             "bucket b-prid7 is in region eu-west-1, not us-east-1: set "
                             "backup.s3.region (or AWS_REGION) to eu-west-1",
                             ""});
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("is in region eu-west-1"));
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, before);
  EXPECT_EQ(s3_.calls("head_object"), 0);
}

TEST_F(UploadS3, MultipartUploadVerifiedAndRecorded) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload("a_PRID7_x.raw");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["outcome"], "done");
  EXPECT_EQ(out->result["uploaded"], 1);
  EXPECT_EQ(out->result["bytes"], big.size());
  EXPECT_EQ(s3_.calls("upload_part"), 3);
  EXPECT_EQ(s3_.object_data("b-prid7", "a_PRID7_x.raw"), big);
  RawFile r = record("a_PRID7_x.raw");
  EXPECT_EQ(r.backup_status, BackupStatus::done);
  EXPECT_EQ(r.s3_upload_path, "s3://b-prid7/");
  EXPECT_FALSE(r.error);
}

TEST_F(UploadS3, ReRunMakesOnlyHeadRequestsAndWritesNoEvent) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  ASSERT_TRUE(upload("a_PRID7_x.raw"));
  size_t events = store_.history("a_PRID7_x.raw")->size();
  auto out = upload("a_PRID7_x.raw");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["skipped"], 1);
  EXPECT_EQ(s3_.calls("create_multipart_upload") + s3_.calls("put_object"), 1);
  EXPECT_EQ(store_.history("a_PRID7_x.raw")->size(), events);
}

TEST_F(UploadS3, SmallFileIsOnePut) {
  add_checksummed("a_PRID7_x.raw", "small");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  ASSERT_TRUE(upload("a_PRID7_x.raw"));
  EXPECT_EQ(s3_.calls("put_object"), 1);
  EXPECT_EQ(s3_.calls("create_multipart_upload"), 0);
}

TEST_F(UploadS3, WholeFileMd5EtagIsAccepted) {
  testing::MemoryObjectStore s3rver_like({.whole_md5_etags = true});
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3rver_like.create_bucket("b-prid7"));
  Context ctx = context();
  ctx.objects = [&]() -> ObjectStore& { return s3rver_like; };
  ASSERT_TRUE(run_upload_s3(ctx, UploadS3Options{"a_PRID7_x.raw", false, 0, 0}));
}

// A server storing other bytes than sent, twice, while the local bytes are the record's:
// corrupted on the way. The wrong object is deleted each time; retryable, never done.
TEST_F(UploadS3, AnotherEtagAfterThePutIsDeletedAndNeverDone) {
  add_checksummed("a_PRID7_x.raw", "small");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.force_etag("0123456789abcdef0123456789abcdef");
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::failed);
  EXPECT_TRUE(out.error().transient);
  EXPECT_THAT(out.error().message,
              ::testing::HasSubstr("S3 stored ETag 0123456789abcdef0123456789abcdef for bytes sent with MD5"))
      << out.error().message;
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("corrupted on the way"));
  EXPECT_EQ(s3_.calls("put_object"), 2);
  EXPECT_EQ(s3_.calls("delete_object"), 2);
  EXPECT_FALSE(s3_.object_data("b-prid7", "a_PRID7_x.raw"));
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, BackupStatus::failed);
}

// BadDigest while the local bytes are still the record's: the body was corrupted on the way;
// the part is sent once more (read again; nothing else re-sent).
TEST_F(UploadS3, BadDigestWithTheRecordedBytesIsSentAgain) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.inject("upload_part", {400, "BadDigest", "The Content-MD5 you specified did not match", ""});
  auto out = run_upload_s3(s3_context(), UploadS3Options{"a_PRID7_x.raw", false, 0, 1});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(s3_.calls("upload_part"), 4);
  EXPECT_EQ(s3_.object_data("b-prid7", "a_PRID7_x.raw"), big);
}

// Twice: a transient failure, the upload kept for a re-run (not aborted).
TEST_F(UploadS3, BadDigestTwiceKeepsTheUploadForARerun) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.inject("upload_part", {400, "BadDigest", "The Content-MD5 you specified did not match", ""}, 2);
  auto out = run_upload_s3(s3_context(), UploadS3Options{"a_PRID7_x.raw", false, 0, 1});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::failed);
  EXPECT_THAT(
      out.error().message,
      ::testing::HasSubstr("part 1 of s3://b-prid7/a_PRID7_x.raw: the server refused the bytes sent (BadDigest"))
      << out.error().message;
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("resumable"));
  EXPECT_EQ(s3_.calls("abort_multipart_upload"), 0);
  EXPECT_EQ(record("a_PRID7_x.raw").s3_uploads.size(), 1U);
}

TEST_F(UploadS3, AnotherEtagAfterCompleteIsAMismatch) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.force_etag("ffffffffffffffffffffffffffffffff-3");
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::mismatch);
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, BackupStatus::failed);
}

TEST_F(UploadS3, InterruptionIsResumable) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  set_interrupted(true);
  auto out = upload("a_PRID7_x.raw");
  set_interrupted(false);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::interrupted);
  EXPECT_EQ(s3_.calls("abort_multipart_upload"), 0);
  RawFile r = record("a_PRID7_x.raw");
  EXPECT_EQ(r.backup_status, BackupStatus::failed);
  EXPECT_TRUE(r.error->starts_with("interrupted, resumable")) << *r.error;
}

TEST_F(UploadS3, NetworkFailureKeepsTheUploadAndAReRunSendsOnlyTheMissingParts) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.inject("upload_part", {500, "InternalError", "retries exhausted", ""}, 1, 1);  // part 2 fails
  auto out = run_upload_s3(s3_context(), UploadS3Options{"a_PRID7_x.raw", false, 0, 1});
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("resumable")) << out.error().message;
  EXPECT_EQ(s3_.uploads_in_progress(), 1U);
  EXPECT_EQ(record("a_PRID7_x.raw").s3_uploads.size(), 1U);
  int sent_before = s3_.calls("upload_part");
  auto again = run_upload_s3(s3_context(), UploadS3Options{"a_PRID7_x.raw", false, 0, 1});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(s3_.calls("list_parts"), 1);
  EXPECT_EQ(s3_.calls("upload_part") - sent_before, 2);  // parts 2 and 3; part 1 kept
  EXPECT_EQ(s3_.calls("create_multipart_upload"), 1);
  EXPECT_EQ(s3_.object_data("b-prid7", "a_PRID7_x.raw"), big);
  EXPECT_TRUE(record("a_PRID7_x.raw").s3_uploads.empty());
}

TEST_F(UploadS3, AGoneUploadStartsAfresh) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  RecordChange change;
  change.s3_uploads = std::map<std::string, std::string>{{"a_PRID7_x.raw", "no-such-upload"}};
  ASSERT_TRUE(store_.update("a_PRID7_x.raw", change));
  auto out = upload("a_PRID7_x.raw");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(s3_.calls("create_multipart_upload"), 1);
  EXPECT_EQ(s3_.calls("upload_part"), 3);
}

// A run killed after CompleteMultipartUpload but before its record update leaves an upload ID
// for an object that is complete; the re-run skips the object and forgets (aborts) the upload.
TEST_F(UploadS3, UploadIdsOfObjectsFoundCompleteAreForgotten) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  ASSERT_TRUE(upload("a_PRID7_x.raw"));
  auto kept = s3_.create_multipart_upload("b-prid7", "a_PRID7_x.raw");
  ASSERT_TRUE(kept);
  RecordChange change;
  change.s3_uploads = std::map<std::string, std::string>{{"a_PRID7_x.raw", *kept}};
  ASSERT_TRUE(store_.update("a_PRID7_x.raw", change));
  auto out = upload("a_PRID7_x.raw");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["uploaded"], 0);
  EXPECT_TRUE(record("a_PRID7_x.raw").s3_uploads.empty());
  EXPECT_EQ(s3_.uploads_in_progress(), 0U);
}

// Bytes changed since checksum with the same size and mtime (the check before the upload
// passes): the server refuses part 2 against its recorded MD5; the local part is hashed, found
// changed: a conflict naming the part, nothing completed, the upload aborted.
TEST_F(UploadS3, SourceChangedWithSameSizeAndMtimeIsRefusedByTheServer) {
  add_checksummed("a_PRID7_x.raw", big);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  std::string changed = big;
  changed[6 << 20] = 'X';  // part 2
  fs_.add_file("/data/astral1/a_PRID7_x.raw", changed, t0);
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message,
              ::testing::HasSubstr("the source changed since checksum (part 2 of s3://b-prid7/a_PRID7_x.raw "
                                   "(bytes 5242880–10485759 of /data/astral1/a_PRID7_x.raw) has MD5"))
      << out.error().message;
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("checksum --rehash"));
  EXPECT_EQ(s3_.calls("complete_multipart_upload"), 0);
  EXPECT_EQ(s3_.uploads_in_progress(), 0U);
  EXPECT_FALSE(s3_.object_data("b-prid7", "a_PRID7_x.raw"));
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, BackupStatus::failed);
}

TEST_F(UploadS3, ReplacesAnObjectWithAnotherEtag) {
  add_checksummed("a_PRID7_x.raw", "small");
  s3_.set_object("b-prid7", "a_PRID7_x.raw", "other");
  auto out = upload("a_PRID7_x.raw");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["uploaded"], 1);
  EXPECT_EQ(s3_.object_data("b-prid7", "a_PRID7_x.raw"), "small");
}

TEST_F(UploadS3, MoreThanTenThousandPartsIsRefusedBeforeUploading) {
  add_checksummed("a_PRID7_x.raw", std::string(10001, 'x'));
  RawFile r = record("a_PRID7_x.raw");
  r.file_info.begin()->second.part_size = 1;  // as if checksummed with 1-byte parts: 10,001 parts
  RecordChange change;
  change.file_info = r.file_info;
  ASSERT_TRUE(store_.update("a_PRID7_x.raw", change));
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("would need 10001 parts")) << out.error().message;
  EXPECT_EQ(s3_.calls("create_multipart_upload") + s3_.calls("put_object"), 0);
}

TEST_F(UploadS3, DryRunOnlyHeads) {
  add_checksummed("a_PRID7_x.raw", "small");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload("a_PRID7_x.raw", true);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["files"][0]["action"], "upload");
  EXPECT_EQ(s3_.calls("put_object"), 0);
  EXPECT_EQ(record("a_PRID7_x.raw").backup_status, BackupStatus::pending);
}

TEST_F(UploadS3, UploadsFromTheVerifiedLocalBackupWhenThere) {
  add_checksummed("a_PRID7_x.raw", "small");
  ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{"a_PRID7_x.raw", false, false}));
  fs_.add_file("/data/astral1/a_PRID7_x.raw", "CHANGED", t0);  // the instrument's file is not read
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  ASSERT_TRUE(upload("a_PRID7_x.raw"));
  EXPECT_EQ(s3_.object_data("b-prid7", "a_PRID7_x.raw"), "small");
}

TEST_F(UploadS3, ChangedSourceIsRefusedBeforeUploading) {
  add_checksummed("a_PRID7_x.raw", "small");
  fs_.add_file("/data/astral1/a_PRID7_x.raw", "smaller", t0 + 5);
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(s3_.calls("put_object"), 0);
}

TEST_F(UploadS3, BrukerKeysKeepTheirFolders) {
  fs_.add_file("/data/timstof1/r_PRID7_x.d/a/b.tdf", "x", t0);
  fs_.add_file("/data/timstof1/r_PRID7_x.d/c.tdf_bin", "y", t0);
  checksum("r_PRID7_x.d", "timstof1");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload("r_PRID7_x.d");
  ASSERT_TRUE(out);
  EXPECT_EQ(s3_.object_data("b-prid7", "r_PRID7_x.d/a/b.tdf"), "x");
  EXPECT_EQ(out->result["prefix"], "");
}

}  // namespace
}  // namespace rawbackup
