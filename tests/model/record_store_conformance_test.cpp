// The RecordStore contract (model/record_store.h) for every backend: records and their
// files, events in the same transaction as the change, listings, counts and summaries
// computed by the store, import, schema versions, read-only stores.
#include <gmock/gmock.h>

#include "store_backends.h"

namespace rawbackup::testing {
namespace {

TEST_P(StoreConformance, InsertGetUpdateWithEvents) {
  auto store = open();
  ASSERT_TRUE(store->insert(sample_record("a.raw"), "created"));
  auto got = store->get("a.raw");
  ASSERT_TRUE(got && *got) << (got ? "missing" : got.error().message);
  const FileEntry& file = (*got)->file_info.at("a.raw");
  EXPECT_EQ(file, sample_record("a.raw").file_info.at("a.raw")) << "every field, part MD5s included";
  EXPECT_EQ((*got)->status, RawFileStatus::checksumming);
  EXPECT_FALSE((*got)->updated_at.empty());

  RecordChange change;
  change.status = RawFileStatus::checksummed;
  change.backup_status = BackupStatus::in_progress;
  change.error = std::string("boom");
  change.s3_uploads = std::map<std::string, std::string>{{"k", "upload-1"}};
  change.message = "why";
  auto updated = store->update("a.raw", change);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->error, "boom");
  EXPECT_EQ((*store->get("a.raw"))->s3_uploads.at("k"), "upload-1");

  RecordChange clear;
  clear.error = std::optional<std::string>{};
  clear.message = "cleared";
  ASSERT_TRUE(store->update("a.raw", clear));
  EXPECT_FALSE((*store->get("a.raw"))->error);
  EXPECT_EQ((*store->get("a.raw"))->file_info.size(), 1u) << "a change without files keeps them";

  auto events = store->history("a.raw");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ((*events)[0].to, "checksumming");
  EXPECT_FALSE((*events)[0].from);
  EXPECT_EQ((*events)[1].field, "status");
  EXPECT_EQ((*events)[1].from, "checksumming");
  EXPECT_EQ((*events)[2].field, "backup_status");
  EXPECT_EQ((*events)[2].to, "in_progress");
  EXPECT_EQ((*events)[2].message, "why");
  EXPECT_EQ((*events)[3].field, "record");
  EXPECT_EQ((*events)[3].task, "test");
  EXPECT_EQ((*events)[3].host, "host");
  EXPECT_EQ((*events)[3].pid, 7);
  EXPECT_LT((*events)[0].seq, (*events)[3].seq);
}

// purge's mark: set, read back by get and listings, kept by import.
TEST_P(StoreConformance, PurgedAtIsKeptEverywhere) {
  auto store = open();
  ASSERT_TRUE(store->insert(sample_record("a.raw"), "created"));
  EXPECT_FALSE((*store->get("a.raw"))->purged_at);
  RecordChange purged;
  purged.purged_at = std::string("2026-11-23T10:00:00.000Z");
  purged.message = "purged";
  ASSERT_TRUE(store->update("a.raw", purged));
  EXPECT_EQ((*store->get("a.raw"))->purged_at, "2026-11-23T10:00:00.000Z");
  std::optional<std::string> listed;
  ASSERT_TRUE(store->list_rows({}, [&](const RecordRow& row) -> Status {
    listed = row.purged_at;
    return {};
  }));
  EXPECT_EQ(listed, "2026-11-23T10:00:00.000Z");
  ASSERT_TRUE(store->insert(sample_record("b.raw"), "created"));
  RecordFilter unpurged;
  unpurged.unpurged_only = true;
  EXPECT_EQ(*store->list_ids(unpurged), std::vector<std::string>{"b.raw"}) << "a daily purge's selection";
  EXPECT_EQ(*store->count(unpurged), 1u);
  EXPECT_EQ(store->list_ids({})->size(), 2u);
  auto other = GetParam().make();
  auto target = open_store(other->url(), Actor{"store-copy", "laptop", 99}, {});
  ASSERT_TRUE(target);
  ASSERT_TRUE((*target)->import({StoredRecord{**store->get("a.raw"), *store->history("a.raw")}}));
  EXPECT_EQ((*(*target)->get("a.raw"))->purged_at, "2026-11-23T10:00:00.000Z");
}

// purge --target backup's mark: set, read back, an event, a selection that leaves out the
// records purged before a time (SQL text in the time is dropped), kept by import.
TEST_P(StoreConformance, BackupPurgedAtIsKeptEverywhere) {
  auto store = open();
  for (const char* id : {"a.raw", "b.raw", "c.raw"}) ASSERT_TRUE(store->insert(sample_record(id), "created"));
  RecordChange early;
  early.backup_purged_at = std::string("2026-08-01T10:00:00.000Z");
  early.message = "purging the local backup";
  ASSERT_TRUE(store->update("a.raw", early));
  RecordChange recent = early;
  recent.backup_purged_at = std::string("2026-11-20T10:00:00.000Z");
  ASSERT_TRUE(store->update("b.raw", recent));
  EXPECT_EQ((*store->get("a.raw"))->backup_purged_at, "2026-08-01T10:00:00.000Z");
  EXPECT_EQ(store->history("a.raw")->back().field, "backup_purged_at");
  std::map<std::string, std::optional<std::string>> listed;
  ASSERT_TRUE(store->list_rows({}, [&](const RecordRow& row) -> Status {
    listed[row.id] = row.backup_purged_at;
    return {};
  }));
  EXPECT_EQ(listed["b.raw"], "2026-11-20T10:00:00.000Z");
  EXPECT_FALSE(listed["c.raw"]);
  RecordFilter daily;
  daily.backup_purged_before = "2026-11-01T00:00:00.000Z";
  auto ids = *store->list_ids(daily);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"b.raw", "c.raw"}));
  daily.backup_purged_before = "2026-11-01' OR '1'='1";
  EXPECT_TRUE(store->list_ids(daily)) << "the quote never reaches the SQL";
  auto other = GetParam().make();
  auto target = open_store(other->url(), Actor{"store-copy", "laptop", 99}, {});
  ASSERT_TRUE(target);
  ASSERT_TRUE((*target)->import({StoredRecord{**store->get("b.raw"), *store->history("b.raw")}}));
  EXPECT_EQ((*(*target)->get("b.raw"))->backup_purged_at, "2026-11-20T10:00:00.000Z");
}

TEST_P(StoreConformance, FilesAreReplacedAsAWhole) {
  auto store = open();
  ASSERT_TRUE(store->insert(sample_record("s.d"), ""));
  FileInfo files;
  for (int i = 0; i < 2000; ++i) files["s.d/f" + std::to_string(i)] = FileEntry{1, "m", "m", 5, i, {Md5Digest{7}}};
  files["s.d/f1"].object_etag = "opaque";  // each kind of noted object ETag comes back as it was
  files["s.d/f1"].object_etag_kind = ObjectEtagKind::encrypted;
  files["s.d/f2"] = FileEntry{1, "m", "m", 5, 2, {}, "x-2", 8, ObjectEtagKind::other_tool};
  files["s.d/f3"] = FileEntry{1, "m", "m", 5, 3, {}, "y", 0, ObjectEtagKind::read_back};
  RecordChange change;
  change.file_info = files;
  ASSERT_TRUE(store->update("s.d", change));
  auto got = store->get("s.d");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->file_info, files);
}

TEST_P(StoreConformance, DuplicateInsertIsAConflictAndUnknownUpdateAUsageError) {
  auto store = open();
  ASSERT_TRUE(store->insert(sample_record("a.raw"), ""));
  auto again = store->insert(sample_record("a.raw"), "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(store->history("a.raw")->size(), 1u) << "nothing of the refused insert stays";
  auto unknown = store->update("b.raw", RecordChange{});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::usage);
  EXPECT_FALSE(*store->get("b.raw"));
}

TEST_P(StoreConformance, ListingsFilterInTheStoreNewestFirst) {
  auto store = open();
  RawFile old = sample_record("old.raw");
  old.created_at = "2026-01-01T00:00:00.000Z";
  old.backup_status = BackupStatus::failed;
  RawFile other = sample_record("other.raw");
  other.instrument_id = "timstof1";
  other.created_at = "2026-11-02T00:00:00.000Z";
  ASSERT_TRUE(store->insert(old, ""));
  ASSERT_TRUE(store->insert(sample_record("new.raw"), ""));
  ASSERT_TRUE(store->insert(other, ""));
  std::vector<std::string> rows;
  ASSERT_TRUE(store->list_rows({}, [&](const RecordRow& r) -> Status {
    rows.push_back(r.id);
    return {};
  }));
  EXPECT_EQ(rows, (std::vector<std::string>{"other.raw", "new.raw", "old.raw"}));
  rows.clear();
  ASSERT_TRUE(store->list_rows({{}, 2}, [&](const RecordRow& r) -> Status {
    rows.push_back(r.id);
    return {};
  }));
  EXPECT_EQ(rows, (std::vector<std::string>{"other.raw", "new.raw"})) << "the newest `limit`";
  EXPECT_EQ(*store->list_ids({}), (std::vector<std::string>{"other.raw", "new.raw", "old.raw"}));
  EXPECT_EQ(*store->list_ids({std::string("failed"), {}, {}}), std::vector<std::string>{"old.raw"});
  EXPECT_EQ(store->list_ids({std::string("checksumming"), {}, {}})->size(), 3u);
  EXPECT_EQ(*store->list_ids({{}, std::string("timstof1"), {}}), std::vector<std::string>{"other.raw"});
  EXPECT_EQ(*store->count({}), 3u);
  EXPECT_EQ(*store->count({std::string("failed"), std::string("astral1"), {}}), 1u);
  EXPECT_EQ(*store->count({{}, {}, std::string("2999-01-01T00:00:00.000Z")}), 0u);
  EXPECT_EQ(*store->count({{}, {}, std::string("2000-01-01T00:00:00.000Z")}), 3u);
  Status stopped = store->list_rows({}, [](const RecordRow&) -> Status { return fail("enough"); });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().message, "enough");
}

TEST_P(StoreConformance, SummaryIsCountedByTheStore) {
  auto store = open();
  RawFile done = sample_record("done.raw");
  done.status = RawFileStatus::copying_done;
  done.backup_base_path = "/backup/x";
  done.s3_upload_path = "s3://b/";
  done.backup_status = BackupStatus::done;
  done.purged_at = "2026-11-20T00:00:00.000Z";
  RawFile failed = sample_record("failed.raw");
  failed.size = 5;
  failed.backup_status = BackupStatus::failed;
  failed.error = "S3 said no";
  RawFile bruker = sample_record("b.d");
  bruker.instrument_id = "timstof1";
  for (const RawFile& r : {done, failed, bruker}) ASSERT_TRUE(store->insert(r, ""));
  auto summary = store->summarize({}, 10);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->all.records, 3u);
  EXPECT_EQ(summary->all.bytes, 25u);
  EXPECT_EQ(summary->all.bytes_local, 10u);
  EXPECT_EQ(summary->all.bytes_s3, 10u);
  EXPECT_EQ(summary->all.purged, 1u);
  EXPECT_EQ(summary->all.bytes_purged, 10u) << "freed on the instruments";
  EXPECT_EQ(summary->instruments.at("astral1").records, 2u);
  EXPECT_EQ(summary->instruments.at("astral1").backup_status.at("failed"), 1u);
  EXPECT_EQ(summary->instruments.at("timstof1").status.at("checksumming"), 1u);
  ASSERT_EQ(summary->last_errors.size(), 1u);
  EXPECT_EQ(summary->last_errors[0].id, "failed.raw");
  EXPECT_EQ(summary->last_errors[0].error, "S3 said no");
  EXPECT_EQ(store->summarize({{}, std::string("timstof1"), {}}, 10)->all.records, 1u);
  EXPECT_TRUE(store->summarize({}, 0)->last_errors.empty());
  EXPECT_EQ(summary->groups.size(), 3u) << "instrument × status × backup_status";
}

TEST_P(StoreConformance, SummaryShowsTheOldestUnbackedAndNewestVerifyAndFailuresAreCounted) {
  auto store = open();
  RawFile old_pending = sample_record("old.raw");
  old_pending.created_at = "2026-10-01T00:00:00.000Z";
  RawFile newer_pending = sample_record("new.raw");
  newer_pending.created_at = "2026-10-05T00:00:00.000Z";
  RawFile done = sample_record("done.raw");
  done.created_at = "2026-09-01T00:00:00.000Z";
  done.backup_status = BackupStatus::done;
  done.last_verified_at = "2026-11-20T00:00:00.000Z";
  RawFile skipped = sample_record("skipped.raw");
  skipped.created_at = "2026-08-01T00:00:00.000Z";
  skipped.backup_status = BackupStatus::skipped;
  skipped.last_verified_at = "2026-11-21T00:00:00.000Z";
  for (const RawFile& r : {old_pending, newer_pending, done, skipped}) ASSERT_TRUE(store->insert(r, ""));
  auto summary = store->summarize({}, 0);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->all.oldest_unbacked_at, "2026-10-01T00:00:00.000Z") << "done and skipped are backed up";
  EXPECT_EQ(summary->instruments.at("astral1").last_verified_at, "2026-11-21T00:00:00.000Z");

  RecordChange failed;
  failed.backup_status = BackupStatus::failed;
  failed.message = "S3 said no";
  ASSERT_TRUE(store->update("old.raw", failed));
  RecordChange retried;
  retried.backup_status = BackupStatus::in_progress;
  ASSERT_TRUE(store->update("old.raw", retried));
  ASSERT_TRUE(store->update("old.raw", failed));
  RecordChange error;
  error.status = RawFileStatus::error;
  ASSERT_TRUE(store->update("new.raw", error));
  RecordChange both;  // one failed run setting both fields: counted once
  both.status = RawFileStatus::error;
  both.backup_status = BackupStatus::failed;
  ASSERT_TRUE(store->update("done.raw", both));
  RecordChange attention;  // a backup found wanting
  attention.backup_status = BackupStatus::attention;
  ASSERT_TRUE(store->update("skipped.raw", attention));
  auto failures = store->count_failures("2026-01-01T00:00:00.000Z");
  ASSERT_TRUE(failures) << failures.error().message;
  EXPECT_EQ(failures->at("astral1"), 5u) << "every failed run, once, and each finding";
  EXPECT_TRUE(store->count_failures("2999-01-01T00:00:00.000Z")->empty()) << "none since then";
}

TEST_P(StoreConformance, ImportKeepsEventsAsTheyWereAndRefusesExistingIds) {
  auto source = open({"checksum", "acq-pc-1", 11});
  ASSERT_TRUE(source->insert(sample_record("a.raw"), "created"));
  RecordChange change;
  change.status = RawFileStatus::checksummed;
  change.message = "hashed";
  ASSERT_TRUE(source->update("a.raw", change));
  StoredRecord moved{**source->get("a.raw"), *source->history("a.raw")};

  auto other = GetParam().make();
  auto target = open_store(other->url(), Actor{"store-copy", "laptop", 99}, {});
  ASSERT_TRUE(target);
  ASSERT_TRUE((*target)->import({moved})) << "import";
  auto copied = (*target)->get("a.raw");
  ASSERT_TRUE(copied && *copied);
  EXPECT_EQ((*copied)->file_info, moved.record.file_info);
  EXPECT_EQ((*copied)->updated_at, moved.record.updated_at);
  auto events = (*target)->history("a.raw");
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].host, "acq-pc-1");
  EXPECT_EQ((*events)[1].at, moved.events[1].at);
  EXPECT_EQ((*events)[1].message, "hashed");
  auto again = (*target)->import({moved});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ((*target)->history("a.raw")->size(), 2u) << "a refused import writes nothing";
}

TEST_P(StoreConformance, NewerStoreIsRefusedUntouched) {
  ASSERT_TRUE(open());
  site->set_schema_version(99);
  auto store = open_store(site->url(), Actor{"test", "h", 1}, {});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::usage);
  EXPECT_THAT(store.error().message, ::testing::HasSubstr("schema version 99, newer than this rawbackup"));
  EXPECT_EQ(site->schema_version(), 99);
}

// A store written by copy-local before schema 10 (an absolute backup_base_path, as each host
// saw it) opened by this build: the folder becomes relative to locations.backup; a path that
// does not end in <instrument>/<YYYY_MM> stays as it was.
// Before kinds were kept, every noted object ETag was another tool's.
TEST_P(StoreConformance, NotedObjectEtagsBecomeOtherToolsWhenMigrated) {
  auto store = open();
  RawFile a = sample_record("a.raw");
  a.file_info.begin()->second.object_etag = "x-3";
  ASSERT_TRUE(store->insert(a, ""));
  store.reset();
  site->replay_migration(GetParam().name == "sqlite" ? 15 : 10);
  auto migrated = open();
  ASSERT_TRUE(migrated);
  EXPECT_EQ((*migrated->get("a.raw"))->file_info.begin()->second.object_etag_kind, ObjectEtagKind::other_tool);
}

TEST_P(StoreConformance, AbsoluteBackupFoldersBecomeRelativeWhenMigrated) {
  auto store = open();
  RawFile a = sample_record("a.raw");
  a.backup_base_path = "/mnt/nas/backup/" + a.instrument_id + "/2026_10";
  RawFile b = sample_record("b.raw");
  b.backup_base_path = "/elsewhere/" + b.instrument_id + "x/2026_10";
  RawFile c = sample_record("c.raw");
  c.backup_base_path = b.instrument_id + "/2026_09";
  ASSERT_TRUE(store->insert(a, "") && store->insert(b, "") && store->insert(c, ""));
  store.reset();
  // The step that made the folders relative: SQLite's version 10, PostgreSQL's version 5.
  site->replay_migration(GetParam().name == "sqlite" ? 10 : 5);
  auto migrated = open();
  ASSERT_TRUE(migrated);
  EXPECT_EQ((*migrated->get("a.raw"))->backup_base_path, a.instrument_id + "/2026_10");
  EXPECT_EQ((*migrated->get("b.raw"))->backup_base_path, b.backup_base_path) << "not copy-local's folder";
  EXPECT_EQ((*migrated->get("c.raw"))->backup_base_path, c.backup_base_path);
  EXPECT_EQ(site->schema_version(), latest_schema(GetParam().name));
}

TEST_P(StoreConformance, ReadOnlyStoreRefusesWritesAndNeedsTheCurrentSchema) {
  ASSERT_TRUE(open()->insert(sample_record("a.raw"), ""));
  auto reader = open({"status", "h", 1}, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_TRUE(*reader->get("a.raw"));
  EXPECT_EQ(*reader->count({}), 1u);
  RecordChange change;
  change.message = "no";
  auto write = reader->update("a.raw", change);
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().kind, ErrorKind::usage);
  EXPECT_FALSE(reader->lock("a.raw", LockOptions{}));
  int latest = latest_schema(GetParam().name);
  site->set_schema_version(latest - 1);
  auto older = open_store(site->url(), Actor{"status", "h", 1}, StoreOptions{.read_only = true});
  ASSERT_FALSE(older);
  EXPECT_THAT(older.error().message, ::testing::HasSubstr("needs an upgrade")) << older.error().message;
  EXPECT_EQ(site->schema_version(), latest - 1) << "a read-only open never migrates";
}

TEST_P(StoreConformance, HealthShowsTheSchemaAndWhetherWritesWouldBeTaken) {
  StoreOptions read_only{.read_only = true};
  auto before = open({"doctor", "h", 1}, read_only);
  ASSERT_TRUE(before);
  auto empty = before->health();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->schema_version, 0) << "no store yet";
  EXPECT_EQ(empty->write_problem, "");
  ASSERT_TRUE(open()->insert(sample_record("a.raw"), ""));
  auto reader = open({"doctor", "h", 1}, read_only);
  auto health = reader->health();
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->schema_version, latest_schema(GetParam().name));
  EXPECT_EQ(health->write_problem, "") << "a read-only open answers for the writers";
  if (!site->deny_writes()) GTEST_SKIP() << "writes cannot be denied here (root ignores file modes)";
  auto denied = open({"doctor", "h", 1}, read_only)->health();
  ASSERT_TRUE(denied) << denied.error().message;
  EXPECT_NE(denied->write_problem, "");
  EXPECT_EQ(*reader->count({}), 1u) << "nothing written, nothing lost";
}

TEST_P(StoreConformance, LocationNeverShowsAPassword) {
  auto store = open();
  EXPECT_THAT(store->location(), ::testing::Not(::testing::HasSubstr("secret")));
  EXPECT_FALSE(store->location().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(store_backends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& backend) { return backend.param.name; });

}  // namespace
}  // namespace rawbackup::testing
