// Objects another tool uploaded with other parts: verify tells same bytes from other bytes by
// re-hashing the local copy (and notes the object), upload-s3 adopts instead of re-sending.
#include <gmock/gmock.h>

#include "backups_fixture.h"
#include "integrity/etag.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

// The ETag a tool uploading `data` in parts of `part_size` gets.
std::string etag_at(const std::string& data, size_t part_size) {
  std::vector<Md5Digest> parts;
  for (size_t at = 0; at < data.size(); at += part_size) {
    Md5 md5;
    md5.update(std::string_view(data).substr(at, part_size));
    parts.push_back(md5.finish());
  }
  return multipart_etag(parts);
}

class ForeignObjects : public VerifyRestore {
 protected:
  const std::string data = std::string(20 << 20, 'f') + "end";  // 3 parts of 8 MiB (awscli)
  const std::string bucket = "b-prid7";

  // Backed up, then the object replaced by awscli's upload of the same bytes.
  void uploaded_by_awscli(const std::string& bytes) {
    backed_up(data);
    s3_.set_object(bucket, id, bytes, etag_at(bytes, 8 << 20));
  }
  // upload-s3 of the set as if it met the object before its own upload finished: the object
  // adopted, nothing sent.
  TaskOutput adopted_without_sending() {
    RecordChange pending;
    pending.backup_status = BackupStatus::pending;
    EXPECT_TRUE(store_.update(id, pending));
    int puts = s3_.calls("put_object") + s3_.calls("upload_part");
    auto out = run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0});
    EXPECT_TRUE(out) << out.error().message;
    if (!out) return {};
    EXPECT_EQ(out->result["adopted"], 1);
    EXPECT_EQ(out->result["uploaded"], 0);
    EXPECT_EQ(s3_.calls("put_object") + s3_.calls("upload_part"), puts) << "nothing sent";
    return *out;
  }
};

TEST_F(ForeignObjects, VerifyRehashesTheLocalCopyOnceAndNotesTheObject) {
  uploaded_by_awscli(data);
  uint64_t read_before = fs_.bytes_read();
  TaskOutput out = verify(false, true);
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_THAT(out.text, HasSubstr("s3  ok  a_PRID7_x.raw: uploaded with 8 MiB parts by another tool"));
  EXPECT_EQ(fs_.bytes_read() - read_before, data.size());  // one read for every candidate
  FileEntry entry = record(id).file_info.at(id);
  EXPECT_EQ(entry.object_part_size, 8U << 20);
  EXPECT_EQ(entry.object_etag, etag_at(data, 8 << 20));
  EXPECT_THAT(store_.history(id)->at(store_.history(id)->size() - 2).message, HasSubstr("another tool"));
  read_before = fs_.bytes_read();
  EXPECT_EQ(verify(false, true).exit_code, 0);
  EXPECT_EQ(fs_.bytes_read(), read_before) << "once noted, its ETag is accepted without a read";
  EXPECT_EQ(s3_.calls("get_object"), 0);
}

// A multipart ETag the re-hash does not give is other bytes or a part size no convention
// names: unverifiable (exit 4) naming --deep, which decides from the bytes.
TEST_F(ForeignObjects, OtherBytesOfTheSameSizeAreUnverifiableUntilDeep) {
  std::string other = data;
  other[12 << 20] = 'X';
  uploaded_by_awscli(other);
  TaskOutput out = verify(false, true);
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_THAT(out.text, HasSubstr("unverifiable  a_PRID7_x.raw: ETag " + etag_at(other, 8 << 20) +
                                  ": the recorded file at 7 MiB, 8 MiB parts gives"));
  EXPECT_THAT(out.text, HasSubstr("(other bytes, or a part size that cannot be inferred)"));
  EXPECT_THAT(out.text, HasSubstr("`rawbackup verify --deep` compares its bytes"));
  EXPECT_TRUE(record(id).file_info.at(id).object_etag.empty());
  TaskOutput deep = verify(false, true, true);
  EXPECT_EQ(deep.exit_code, exit_codes::mismatch);
  EXPECT_THAT(deep.text, HasSubstr("differs  a_PRID7_x.raw"));
}

// rclone --s3-chunk-size 7M, boto3 at 10,000,000 bytes: a part size no convention names.
// Shallow verify cannot tell (unverifiable, naming --deep); --deep proves the bytes and notes
// the object, so shallow verifies pass from then on; upload-s3 reads it instead of re-sending.
TEST_F(ForeignObjects, APartSizeThatCannotBeInferredIsReadNotResent) {
  backed_up(data);
  s3_.set_object(bucket, id, data, etag_at(data, 10'000'000));
  TaskOutput shallow = verify(false, true);
  EXPECT_EQ(shallow.exit_code, exit_codes::mismatch);
  EXPECT_THAT(shallow.text, HasSubstr("unverifiable  a_PRID7_x.raw"));
  EXPECT_THAT(shallow.text, HasSubstr("verify --deep"));
  adopted_without_sending();
  EXPECT_EQ(record(id).file_info.at(id).object_etag, etag_at(data, 10'000'000));
  EXPECT_EQ(verify(false, true).exit_code, 0) << "noted: a shallow verify accepts it";
}

TEST_F(ForeignObjects, DeepVerifyNotesAnObjectItsBytesProve) {
  backed_up(data);
  s3_.set_object(bucket, id, data, etag_at(data, 7'000'000));
  EXPECT_EQ(verify(false, true).exit_code, exit_codes::mismatch);
  EXPECT_EQ(verify(false, true, true).exit_code, 0);
  EXPECT_EQ(record(id).file_info.at(id).object_etag, etag_at(data, 7'000'000));
  EXPECT_EQ(verify(false, true).exit_code, 0);
}

TEST_F(ForeignObjects, WithoutALocalCopyItIsUnverifiableUnlessDeep) {
  uploaded_by_awscli(data);
  fs_.remove(local_copy);
  fs_.remove("/data/astral1/" + id);
  TaskOutput out = verify(false, true);
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_THAT(out.text, HasSubstr("unverifiable  a_PRID7_x.raw"));
  EXPECT_EQ(verify(false, true, true).exit_code, 0) << "deep hashes the object against the record";
}

TEST_F(ForeignObjects, UploadAdoptsTheSameBytesAndSendsNothing) {
  uploaded_by_awscli(data);
  adopted_without_sending();
  EXPECT_EQ(record(id).backup_status, BackupStatus::done);
  EXPECT_EQ(record(id).file_info.at(id).object_part_size, 8U << 20);
  EXPECT_EQ(verify(false, true).exit_code, 0);
}

TEST_F(ForeignObjects, UploadReplacesOtherBytes) {
  std::string other = data;
  other[3] = 'X';
  uploaded_by_awscli(other);
  auto out = run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["adopted"], 0);
  EXPECT_EQ(out->result["uploaded"], 1);
  EXPECT_EQ(s3_.object_data(bucket, id), data);
}

}  // namespace
}  // namespace rawbackup
