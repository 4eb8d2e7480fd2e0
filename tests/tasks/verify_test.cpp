// verify: every backup of a record checked against it, findings recorded.
#include <gmock/gmock.h>

#include "backups_fixture.h"

namespace rawbackup {
namespace {

TEST_F(VerifyRestore, CleanVerifyChecksBothBackupsAndRecordsIt) {
  backed_up(big);
  TaskOutput out = verify();
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.result["results"][0]["checked"], (nlohmann::json{"local", "s3"}));
  EXPECT_EQ(out.result["results"][0]["outcome"], "ok");
  EXPECT_TRUE(record(id).last_verified_at);
  EXPECT_EQ(store_.history(id)->back().message, "verified ok: local, s3, 1 file(s)");
  EXPECT_EQ(out.bytes_moved, big.size()) << "the local copy re-read: --metrics-file's run_bytes";
  EXPECT_EQ(verify(false, true, true).bytes_moved, big.size()) << "--deep: the object's bytes fetched";
  EXPECT_EQ(verify(false, true).bytes_moved, 0U) << "shallow S3: ETags only";
}

TEST_F(VerifyRestore, CorruptedLocalCopyIsFoundWithBothMd5s) {
  backed_up(big);
  std::string corrupted = big;
  corrupted[10] = 'X';
  fs_.add_file(local_copy, corrupted, t0);
  TaskOutput out = verify(true);
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  auto file = out.result["results"][0]["files"][0];
  EXPECT_EQ(file["state"], "differs");
  EXPECT_THAT(file["detail"].get<std::string>(), ::testing::HasSubstr("MD5 "));
  EXPECT_THAT(*record(id).error, ::testing::HasSubstr("verify failed: local a_PRID7_x.raw: MD5"));
  EXPECT_FALSE(record(id).last_verified_at);
}

// A backup found wanting is a state operators select and count (attention), not a done
// record with an error; the verify that finds every backup good again clears both.
TEST_F(VerifyRestore, AFindingNeedsAttentionUntilAVerifyPasses) {
  backed_up(big);
  std::string corrupted = big;
  corrupted[10] = 'X';
  fs_.add_file(local_copy, corrupted, t0);
  EXPECT_EQ(verify().exit_code, exit_codes::mismatch);
  EXPECT_EQ(record(id).backup_status, BackupStatus::attention);
  RecordFilter attention;
  attention.status = "attention";
  EXPECT_EQ(*store_.list_ids(attention), std::vector<std::string>{id}) << "selected by --all-status attention";
  auto failures = store_.count_failures("2000-01-01T00:00:00.000000Z");
  EXPECT_EQ((*failures)["astral1"], 1U) << "counted in rawbackup_failures_24h";

  fs_.add_file(local_copy, big, t0);  // the copy put right
  EXPECT_EQ(verify(true).exit_code, 0);
  EXPECT_EQ(record(id).backup_status, BackupStatus::attention) << "a check of one place settles nothing";
  EXPECT_EQ(verify().exit_code, 0);
  EXPECT_EQ(record(id).backup_status, BackupStatus::done);
  EXPECT_FALSE(record(id).error) << "the earlier finding is resolved";
}

// backup_type s3: a set whose upload failed has no backup, whatever its local copy says.
TEST_F(VerifyRestore, AFailedUploadIsAMissingS3BackupNotOk) {
  fs_.add_file("/data/astral1/" + id, "small", t0);
  ChecksumOptions checksum;
  checksum.instrument = "astral1";
  checksum.name = id;
  ASSERT_TRUE(run_checksum(context(), checksum));
  ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{id, false, false}));
  auto failed = run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0});  // no bucket
  ASSERT_FALSE(failed);
  std::string upload_error = *record(id).error;

  TaskOutput out = verify();
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_EQ(out.result["results"][0]["checked"], (nlohmann::json{"local"}));
  EXPECT_EQ(out.result["results"][0]["files"][0]["backup"], "s3");
  EXPECT_EQ(out.result["results"][0]["files"][0]["state"], "missing");
  EXPECT_EQ(out.result["results"][0]["files"][0]["detail"],
            "no S3 backup recorded (backup_status failed): run upload-s3");
  EXPECT_FALSE(record(id).last_verified_at);
  EXPECT_EQ(record(id).backup_status, BackupStatus::failed) << "the upload's state, not a backup gone bad";
  EXPECT_EQ(*record(id).error, upload_error);
  EXPECT_EQ(verify(true).exit_code, 0) << "--local asks about the local copy only";
}

TEST_F(VerifyRestore, SameSizeReplacementIsFoundShallowByEtagAndDeepByContent) {
  backed_up(big);
  std::string other = big;
  other[(5 << 20) + 10] = 'Z';           // in part 2
  s3_.set_object("b-prid7", id, other);  // plain MD5 ETag: not the record's "-2"
  EXPECT_EQ(verify(false, true).exit_code, exit_codes::mismatch);
  // Deep also catches it when the ETag looks right (as with SSE-KMS, ETags say nothing).
  s3_.set_object("b-prid7", id, other, record(id).file_info.begin()->second.etag);
  EXPECT_EQ(verify(false, true).exit_code, 0);
  TaskOutput deep = verify(false, true, true);
  EXPECT_EQ(deep.exit_code, exit_codes::mismatch);
  EXPECT_EQ(deep.result["results"][0]["files"][0]["detail"].get<std::string>(),
            "content differs: part 2 (bytes 5242880–6291459) differs from the record (its bytes give ETag " +
                md5_etag_of(other) + ", the record " + record(id).file_info.begin()->second.etag + ")");
  EXPECT_EQ(s3_.calls("get_object"), 3);  // both parts, then part 2 again
}

// A part corrupted on the way once is read again, alone, and then matches: ok.

TEST_F(VerifyRestore, DeepVerifyReadsADifferingPartAgainBeforeCallingItDifferent) {
  backed_up(big);
  s3_.corrupt_next_get(10);
  TaskOutput deep = verify(false, true, true);
  EXPECT_EQ(deep.exit_code, 0);
  auto ranges = s3_.get_ranges();  // the first two in either order (two workers)
  ASSERT_EQ(ranges.size(), 3U);
  EXPECT_EQ(ranges[2], "0+5242880");
}

// Restore re-fetches only the part that arrived corrupted, and commits the file.

TEST_F(VerifyRestore, MissingObjectAndNoBackupAreFindings) {
  backed_up("small");
  s3_.set_object("b-prid7", "unrelated", "x");
  testing::MemoryObjectStore empty;
  ASSERT_TRUE(empty.create_bucket("b-prid7"));
  Context ctx = context();
  ctx.objects = [&]() -> ObjectStore& { return empty; };
  auto out = run_verify(ctx, VerifyOptions{{id}, false, true, false});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, exit_codes::mismatch);
  EXPECT_EQ(out->result["results"][0]["files"][0]["state"], "missing");
  auto unknown = run_verify(ctx, VerifyOptions{{"nope.raw"}, false, false, false});
  EXPECT_EQ(unknown->exit_code, exit_codes::usage);
}

// An object of another size is named as restore names it (both use object_size_problem).
TEST_F(VerifyRestore, ObjectOfAnotherSizeIsNamedAsRestoreNamesIt) {
  backed_up("small");
  s3_.set_object("b-prid7", id, "sm");
  auto out = run_verify(s3_context(), VerifyOptions{{id}, false, true, false});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, exit_codes::mismatch);
  EXPECT_EQ(out->result["results"][0]["files"][0]["state"], "differs");
  EXPECT_EQ(out->result["results"][0]["files"][0]["detail"],
            "s3://b-prid7/a_PRID7_x.raw is shorter than recorded (2 bytes, record 5)");
}

TEST_F(VerifyRestore, CouldNotCheckIsExitOne) {
  backed_up("small");
  s3_.inject("head_object", {503, "SlowDown", "slow", ""});
  TaskOutput out = verify(false, true);
  EXPECT_EQ(out.exit_code, exit_codes::failed);
  EXPECT_EQ(out.result["results"][0]["outcome"], "error");
}

TEST_F(VerifyRestore, ManyFilesAreListedNotHeaded) {
  set_uploaded("r_PRID7_x.d", 20);
  EXPECT_EQ(s3_.calls("list_objects"), 1);  // upload-s3's plan lists too
  int heads = s3_.calls("head_object");
  auto out = run_verify(s3_context(), VerifyOptions{{"r_PRID7_x.d"}, false, false, false});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, 0) << out->text;
  EXPECT_EQ(s3_.calls("head_object"), heads);
  EXPECT_EQ(s3_.calls("list_objects"), 2);
}

// --deep over many small files fetches them side by side (s3.concurrency GETs at once, issue
// 21.7), and a file whose object differs is a finding of its own, the others still ok.
TEST_F(VerifyRestore, DeepVerifyOfManyFilesFetchesThemSideBySide) {
  set_uploaded("r_PRID7_x.d", 24);
  s3_.set_object("b-prid7", "r_PRID7_x.d/f7", "file X", md5_etag_of("file 7"));
  s3_.set_get_latency(std::chrono::milliseconds(20));
  auto out = run_verify(s3_context(), VerifyOptions{{"r_PRID7_x.d"}, false, true, true});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, 4) << out->text;
  EXPECT_GT(s3_.most_gets_at_once(), 1);
  EXPECT_LE(s3_.most_gets_at_once(), static_cast<int>(config_.s3->concurrency));
  EXPECT_EQ(s3_.calls("get_object"), 25 + 1);  // f7 read once more before it is called different
  EXPECT_THAT(out->text, ::testing::HasSubstr("f7"));
  EXPECT_THAT(out->result.dump(), ::testing::HasSubstr("content differs"));
}

}  // namespace
}  // namespace rawbackup
