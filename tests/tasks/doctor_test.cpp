#include "tasks/doctor.h"

#include <gmock/gmock.h>

#include "fakes/memory_object_store.h"
#include "task_fixture.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

// The fixture's config with backup_type s3, its store, and an in-memory S3 shared with the
// test (the loaders hand doctor a wrapper that forwards to it).
class DoctorTask : public TaskFixture {
 protected:
  void SetUp() override {
    config_.backup_type = BackupType::s3;
    config_.s3->bucket_prefix = "rb";
    fs_.add_dir("/data/astral1");
    fs_.add_dir("/data/timstof1");
    fs_.add_dir("/backup");
    s3_.create_bucket("rb-prid1");
    RawFile r;
    r.id = "a_PRID1_.raw";
    r.instrument_id = "astral1";
    r.project_id = "PRID1";
    r.created_at = "2026-11-02T00:00:00.000Z";
    ASSERT_TRUE(store_.insert(r, "made"));
    loaders_.config = [this] {
      if (!config_error_.empty()) throw UsageError(config_error_);
      return config_;
    };
    loaders_.store = [this](const Config& config, bool read_only) {
      return open_store(config.store_url, Actor{"doctor", "h", 1}, StoreOptions{.read_only = read_only});
    };
    loaders_.s3 = [this](const S3Config&) {
      if (!credentials_error_.empty()) throw UsageError(credentials_error_);
      return ConnectedObjectStore{std::make_unique<Forwarding>(s3_), "environment"};
    };
  }

  // Runs doctor; returns its findings as text lines and its exit code.
  std::pair<std::string, int> run(bool write_probe = false, std::vector<std::string> projects = {}) {
    Context ctx = context();
    ctx.store = nullptr;  // doctor opens what it checks itself
    ctx.config = nullptr;
    ctx.loaders = &loaders_;
    auto out = run_doctor(ctx, DoctorOptions{write_probe, std::move(projects)});
    EXPECT_TRUE(out);
    last_json_ = out->result;
    return {out->text, out->exit_code};
  }

  // The memory store behind a unique_ptr the test keeps reaching.
  struct Forwarding : testing::MemoryObjectStore {
    explicit Forwarding(testing::MemoryObjectStore& target) : to(target) {}
    S3Result<EndpointProbe> probe_endpoint() override { return to.probe_endpoint(); }
    S3Status head_bucket(const std::string& b) override { return to.head_bucket(b); }
    S3Result<WriteReply> put_object(const std::string& b, const std::string& k, const Body& body) override {
      return to.put_object(b, k, body);
    }
    S3Status delete_object(const std::string& b, const std::string& k) override { return to.delete_object(b, k); }
    testing::MemoryObjectStore& to;
  };

  Loaders loaders_;
  testing::MemoryObjectStore s3_;
  std::string config_error_;
  std::string credentials_error_;
  nlohmann::json last_json_;
};

TEST_F(DoctorTask, EverythingInPlaceIsExit0WithOneLinePerCheck) {
  auto [text, code] = run();
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("ok   config"));
  EXPECT_THAT(text, HasSubstr("schema version"));
  EXPECT_THAT(text, HasSubstr("ok   instrument astral1"));
  EXPECT_THAT(text, HasSubstr("ok   backup folder        /backup writable, 1.0 TiB free"));
  EXPECT_THAT(text, HasSubstr("ok   credentials          from environment, accepted by the server"));
  EXPECT_THAT(text, HasSubstr("ok   clock"));
  EXPECT_THAT(text, HasSubstr("ok   bucket rb-prid1      exists"));
  EXPECT_EQ(last_json_["checks"].size(), 9u);
  EXPECT_EQ(last_json_["outcome"], "ok");
  EXPECT_EQ(s3_.calls("put_object"), 0) << "no write without --write-probe";
}

TEST_F(DoctorTask, WriteProbePutsAndDeletesAnObjectUnderTheReservedPrefix) {
  auto [text, code] = run(true);
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("exists and is writable"));
  EXPECT_EQ(s3_.calls("put_object"), 1);
  EXPECT_EQ(s3_.calls("delete_object"), 1);
  auto page = s3_.list_objects("rb-prid1", "", "");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->objects.empty()) << "the probe object is gone";
}

TEST_F(DoctorTask, WriteProbeCommitsAndRemovesAFileInTheBackupFolder) {
  auto [text, code] = run(true);
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("a probe file committed and removed"));
  EXPECT_TRUE(fs_.files_containing("rawbackup-doctor").empty()) << "nothing left behind";
}

TEST_F(DoctorTask, AProbeThatCannotBeCommittedFailsTheBackupFolder) {
  fs_.set_space_left(0);
  auto [text, code] = run(true);
  EXPECT_EQ(code, 1) << text;
  EXPECT_THAT(text, HasSubstr("fail backup folder"));
  EXPECT_THAT(text, HasSubstr("a probe file cannot be committed as copy-local commits"));
}

TEST_F(DoctorTask, NamesEachFoldersFileSystemAndWarnsOfASlowAttributeCache) {
  config_.settle_seconds = 60;
  fs_.set_mount("/data/astral1", {"/data/astral1", "cifs", "//pc/raw", "rw,vers=3.1.1,actimeo=30"});
  fs_.set_mount("/data/timstof1", {"/data/timstof1", "cifs", "//pc2/raw", "rw,actimeo=10"});
  fs_.set_mount("/backup", {"/backup", "nfs4", "nas:/export", "rw,vers=4.2"});
  auto [text, code] = run();
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("warn instrument astral1   /data/astral1 readable (0 entries); on cifs (rw,vers=3.1.1,"
                              "actimeo=30) at /data/astral1; its attribute cache keeps sizes and mtimes up to 30 s, "
                              "not well below checksum.settle_seconds (60 s)"));
  EXPECT_THAT(text, HasSubstr("raise checksum.settle_seconds to at least 120"));
  EXPECT_THAT(text,
              HasSubstr("ok   instrument timstof1  /data/timstof1 readable (0 entries); on cifs (rw,actimeo=10)"));
  EXPECT_THAT(text, HasSubstr("on nfs4 (rw,vers=4.2) at /backup"));
}

TEST_F(DoctorTask, ABadConfigIsExit2AndNothingElseIsChecked) {
  config_error_ = "c.yaml: backup.s3.part_size_mb: must be at least 5";
  auto [text, code] = run();
  EXPECT_EQ(code, 2);
  EXPECT_EQ(
      text,
      "fail config               c.yaml: backup.s3.part_size_mb: must be at least 5\n0 ok, 0 warning(s), 1 failing");
}

TEST_F(DoctorTask, MissingFolderAndReadOnlyBackupAreExit1) {
  fs_.remove("/data/timstof1");
  fs_.set_read_only("/backup");
  auto [text, code] = run();
  EXPECT_EQ(code, 1) << text;
  EXPECT_THAT(text, HasSubstr("fail instrument timstof1  /data/timstof1 does not exist: mount the instrument's share"));
  EXPECT_THAT(text, HasSubstr("fail backup folder        cannot write in /backup: Read-only file system"));
}

TEST_F(DoctorTask, LowFreeSpaceIsAWarningOnly) {
  fs_.set_space_left(uint64_t{5} << 30);
  auto [text, code] = run();
  EXPECT_EQ(code, 0);
  EXPECT_THAT(text, HasSubstr("warn backup folder        /backup writable, 5.0 GiB free"));
  EXPECT_EQ(last_json_["outcome"], "warnings");
}

TEST_F(DoctorTask, MissingBucketIsExit1) {
  RawFile r = record("a_PRID1_.raw");
  r.id = "b_PRID2_.raw";
  r.project_id = "PRID2";
  ASSERT_TRUE(store_.insert(r, ""));
  auto [text, code] = run();
  EXPECT_EQ(code, 1);
  EXPECT_THAT(text, HasSubstr("fail bucket rb-prid2      does not exist: create it (rawbackup never creates buckets)"));
  EXPECT_THAT(text, HasSubstr("ok   bucket rb-prid1"));
}

TEST_F(DoctorTask, WrongSecretIsAConfigProblemAndBucketsAreNotTried) {
  s3_.inject("probe_endpoint", s3::S3Error{403, "SignatureDoesNotMatch", "no", ""});
  auto [text, code] = run();
  EXPECT_EQ(code, 2) << text;
  EXPECT_THAT(text, HasSubstr("fail credentials          from environment, refused by the server "
                              "(SignatureDoesNotMatch): check the access key"));
  EXPECT_EQ(s3_.calls("head_bucket"), 0);
}

TEST_F(DoctorTask, NoCredentialsIsExit2) {
  credentials_error_ = "backup_type s3 needs credentials: … tried: environment";
  auto [text, code] = run();
  EXPECT_EQ(code, 2);
  EXPECT_THAT(text, HasSubstr("fail credentials          backup_type s3 needs credentials"));
}

TEST_F(DoctorTask, ServerDownIsExit1) {
  s3_.inject("probe_endpoint", s3::local_error(s3::S3ErrorOrigin::network, "Connection refused"));
  auto [text, code] = run();
  EXPECT_EQ(code, 1);
  EXPECT_THAT(text, HasSubstr("fail endpoint             memory:// unreachable"));
}

TEST_F(DoctorTask, ClockOffWarnsThenFails) {
  s3_.set_clock_offset(-120);
  auto [warned, code] = run();
  EXPECT_EQ(code, 0);
  EXPECT_THAT(warned, HasSubstr("warn clock                this machine's clock is 120 s ahead of the server's"));
  s3_.set_clock_offset(3600);
  auto [failed, code2] = run();
  EXPECT_EQ(code2, 1);
  EXPECT_THAT(failed, HasSubstr("fail clock                this machine's clock is 3600 s behind the server's"));
}

TEST_F(DoctorTask, AStoreThatCannotBeOpenedIsAFindingAndTheRestIsStillChecked) {
  config_.store_url = "sqlite://" + (dir_.path() / "missing-folder").string();
  std::filesystem::create_directories(dir_.path() / "missing-folder");  // a folder where the file should be
  auto [text, code] = run();
  EXPECT_EQ(code, 2) << text;
  EXPECT_THAT(text, HasSubstr("fail store                store "));
  EXPECT_THAT(text, HasSubstr("is a folder, not a SQLite file"));
  EXPECT_THAT(text, HasSubstr("ok   instrument astral1"));
  EXPECT_THAT(text, HasSubstr("skip recorded buckets     not checked: the store could not be opened, so its projects "
                              "are not known (--project P checks a project's bucket)"));
}

// Before a new project's first upload: its bucket named and checked (issue 31.4).
TEST_F(DoctorTask, ProjectNamesAndChecksItsBucketBeforeTheFirstUpload) {
  auto [text, code] = run(false, {"PRID9", "PRID1"});
  EXPECT_EQ(code, 1) << text;
  EXPECT_THAT(text, HasSubstr("fail bucket rb-prid9      project PRID9's bucket does not exist: create it"));
  EXPECT_THAT(text, HasSubstr("ok   bucket rb-prid1      project PRID1's bucket exists"));
  EXPECT_EQ(s3_.calls("head_bucket"), 2) << "rb-prid1 once, though the store has it too";
  s3_.create_bucket("rb-prid9");
  auto [fixed, code2] = run(false, {"PRID9"});
  EXPECT_EQ(code2, 0) << fixed;
  auto [bad, code3] = run(false, {"Bad_Name!"});
  EXPECT_EQ(code3, 2) << bad;
  EXPECT_THAT(bad, HasSubstr("fail project Bad_Name!"));
}

// Each bucket says how objects will be written to it: a project's own settings, else the
// section's; never a key id.
TEST_F(DoctorTask, EachBucketShowsTheEncryptionAndStorageClassUsed) {
  config_.s3->objects = {"aws:kms", "arn:aws:kms:secret-key-id", false, {}, ""};
  config_.s3->project_objects["PRID9"] = {"AES256", "", false, {}, "DEEP_ARCHIVE"};
  s3_.create_bucket("rb-prid9");
  auto [text, code] = run(false, {"PRID9"});
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("rb-prid1      exists (--write-probe also checks writing); objects written with "
                              "SSE-KMS (the configured key), storage class the bucket's default"));
  EXPECT_THAT(text, HasSubstr("objects written with SSE-S3 (AES256), storage class DEEP_ARCHIVE"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("secret-key-id")));
}

// What doctor did not check is listed with why, never left out.
TEST_F(DoctorTask, ChecksNotMadeAreListedWithWhy) {
  config_.backup_type = BackupType::local;
  config_.backup_path.clear();
  auto [local, code] = run();
  EXPECT_EQ(code, 0) << local;
  EXPECT_THAT(local, HasSubstr("skip s3                   not checked: backup_type is local: no credentials, endpoint, "
                               "clock or bucket to check"));
  EXPECT_THAT(local, HasSubstr("skip backup folder        not checked: locations.backup is not set"));
  EXPECT_THAT(local, HasSubstr(", 2 not checked"));
  EXPECT_EQ(last_json_["outcome"], "ok");
  config_.backup_type = BackupType::s3;
  s3_.inject("probe_endpoint", s3::local_error(s3::S3ErrorOrigin::network, "Connection refused"));
  auto [down, code2] = run();
  EXPECT_EQ(code2, 1);
  EXPECT_THAT(down, HasSubstr("skip clock                not checked: the endpoint does not answer"));
  EXPECT_THAT(down, HasSubstr("skip buckets              not checked: the endpoint does not answer"));
  s3_.inject("probe_endpoint", s3::S3Error{403, "SignatureDoesNotMatch", "no", ""});
  auto [refused, code3] = run();
  EXPECT_THAT(refused, HasSubstr("skip buckets              not checked: the server refuses the credentials"));
}

}  // namespace
}  // namespace rawbackup
