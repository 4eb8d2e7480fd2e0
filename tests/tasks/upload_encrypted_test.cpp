// upload-s3, verify and restore against a store that encrypts (SSE-KMS, SSE-C): its ETags are
// not the MD5 of the bytes. The server's Content-MD5 check is the proof; the opaque ETag is
// noted in the record (kind encrypted) so a shallow verify and a re-run recognise the object.
#include <gmock/gmock.h>

#include "tasks/restore.h"
#include "tasks/status.h"
#include "tasks/verify.h"
#include "upload_fixture.h"

namespace rawbackup {
namespace {

class UploadEncrypted : public UploadS3, public ::testing::WithParamInterface<const char*> {
 protected:
  UploadEncrypted() : kms_({.encryption = GetParam()}) { EXPECT_TRUE(kms_.create_bucket("b-prid7")); }

  Context kms_context() {
    Context ctx = context();
    ctx.objects = [this]() -> ObjectStore& { return kms_; };
    return ctx;
  }
  Result<TaskOutput> upload_kms(const std::string& id) {
    return run_upload_s3(kms_context(), UploadS3Options{id, false, 0, 0});
  }
  const FileEntry& entry(const std::string& id) {
    held_ = record(id);
    return held_.file_info.begin()->second;
  }

  testing::MemoryObjectStore kms_;
  RawFile held_;
  const std::string id_ = "a_PRID7_x.raw";
};

INSTANTIATE_TEST_SUITE_P(Sse, UploadEncrypted, ::testing::Values("aws:kms", "SSE-C"));

TEST_P(UploadEncrypted, ASinglePutIsDoneWithItsOpaqueEtagNoted) {
  add_checksummed(id_, "small raw file");
  auto out = upload_kms(id_);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(kms_.object_data("b-prid7", id_), "small raw file");
  EXPECT_EQ(kms_.calls("delete_object"), 0);
  const FileEntry& e = entry(id_);
  EXPECT_EQ(held_.backup_status, BackupStatus::done);
  EXPECT_NE(e.object_etag, e.md5);
  EXPECT_EQ(e.object_etag, (*kms_.head_object("b-prid7", id_))->etag);
  EXPECT_EQ(e.object_etag_kind, ObjectEtagKind::encrypted);
  EXPECT_EQ(to_json(held_)["file_info"][id_]["object"]["kind"], "encrypted");
  StatusOptions status;
  status.ids = {id_};
  auto shown = run_status(context(), status);
  ASSERT_TRUE(shown);
  EXPECT_THAT(shown->text, ::testing::HasSubstr(e.object_etag + " (encrypted)")) << shown->text;
}

TEST_P(UploadEncrypted, AMultipartUploadIsCompletedWithTheServersPartEtags) {
  add_checksummed(id_, big);
  auto out = upload_kms(id_);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(kms_.object_data("b-prid7", id_), big);
  EXPECT_EQ(kms_.calls("upload_part"), 3);
  EXPECT_EQ(entry(id_).object_etag_kind, ObjectEtagKind::encrypted);
}

TEST_P(UploadEncrypted, ARerunSkipsAndVerifyAndRestoreAgree) {
  add_checksummed(id_, big);
  ASSERT_TRUE(upload_kms(id_));
  auto again = upload_kms(id_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result["skipped"], 1);
  EXPECT_EQ(kms_.calls("create_multipart_upload"), 1);
  for (bool deep : {false, true}) {
    auto verified = run_verify(kms_context(), VerifyOptions{{id_}, false, true, deep});
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->exit_code, 0) << verified->result.dump();
  }
  auto restored = run_restore(kms_context(), RestoreOptions{id_, BackupPlace::s3, "/restore", false});
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(fs_.read_all("/restore/" + id_), big);
}

// An encrypted object that is not the record's bytes: a shallow verify cannot tell from its
// ETag, --deep reads and hashes it.
TEST_P(UploadEncrypted, DeepVerifyFindsOtherBytesUnderTheNotedEtag) {
  add_checksummed(id_, big);
  ASSERT_TRUE(upload_kms(id_));
  std::string other = big;
  other[7] = 'Q';
  kms_.set_object("b-prid7", id_, other, entry(id_).object_etag);
  auto deep = run_verify(kms_context(), VerifyOptions{{id_}, false, true, true});
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->exit_code, 4) << deep->result.dump();
}

// The server still checks every byte against Content-MD5: a source changed since checksum
// (same size and mtime) is refused and named, nothing is left under the key.
TEST_P(UploadEncrypted, ACorruptedBodyIsStillRefusedByTheServer) {
  add_checksummed(id_, big);
  std::string changed = big;
  changed[100] = 'X';
  fs_.add_file("/data/astral1/" + id_, changed, t0);
  auto out = upload_kms(id_);
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("has MD5")) << out.error().message;
  EXPECT_FALSE(kms_.object_data("b-prid7", id_));
}

// A part's opaque ETag cannot show it holds the recorded bytes: a resumed upload sends every
// part again (in the same upload) and completes.
TEST_P(UploadEncrypted, AResumedUploadSendsItsPartsAgain) {
  add_checksummed(id_, big);
  kms_.inject("upload_part", s3::S3Error{503, "SlowDown", "slow", ""}, 1, 2);
  ASSERT_FALSE(upload_kms(id_));
  EXPECT_EQ(kms_.uploads_in_progress(), 1U);
  auto out = upload_kms(id_);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(kms_.object_data("b-prid7", id_), big);
  EXPECT_EQ(kms_.calls("create_multipart_upload"), 1);
  EXPECT_EQ(kms_.calls("upload_part"), 3 + 3);  // the first run's 2 sent and 1 refused, then all 3
}

// Uploading again without encryption forgets the noted ETag of the object it replaced.
TEST_P(UploadEncrypted, AReplacedObjectsNoteIsForgotten) {
  add_checksummed(id_, "small raw file");
  ASSERT_TRUE(upload_kms(id_));
  kms_.set_object("b-prid7", id_, "other bytes!!!", "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  auto out = upload(id_);  // the plain store: MD5 ETags
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(entry(id_).object_etag, "");
  EXPECT_EQ(entry(id_).object_etag_kind, ObjectEtagKind::none);
}

// A bucket policy refusing the write (HEAD works, PUT is denied): one line naming the settings
// that fix it, a usage error (exit 2), the record's backup status as it was.
TEST_F(UploadS3, ABucketPolicyRefusingThePutSaysWhichSettingsFixIt) {
  add_checksummed("a_PRID7_x.raw", "small");
  ASSERT_TRUE(s3_.create_bucket("b-prid7"));
  s3_.inject("put_object", s3::S3Error{403, "AccessDenied", "Access Denied", ""});
  auto out = upload("a_PRID7_x.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("the bucket's policy refused the upload (AccessDenied)"));
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("backup.s3.sse"));
  RawFile r = record("a_PRID7_x.raw");
  EXPECT_EQ(r.backup_status, BackupStatus::pending);
  EXPECT_FALSE(r.error);
  EXPECT_FALSE(r.s3_upload_path);
}

}  // namespace
}  // namespace rawbackup
