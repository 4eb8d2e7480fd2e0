#include "model/record_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/record_lock.h"
#include "model/schema.h"
#include "temp_dir.h"

namespace rawbackup {
namespace {

RawFile sample(const std::string& id) {
  RawFile r;
  r.id = id;
  r.instrument_id = "astral1";
  r.project_id = "PRID1";
  r.created_at = "2026-11-01T10:00:00.000Z";
  r.size = 10;
  r.file_info["a.raw"] = FileEntry{10, "m", "e", 5, 42};
  return r;
}

Actor actor() { return {"test", "host", 7}; }

TEST(RecordStore, InsertGetUpdateWithEvents) {
  TempDir dir;
  auto store = RecordStore::open(dir.path() / "sub/s.sqlite", actor());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE(store->insert(sample("a.raw"), "created"));
  auto got = store->get("a.raw");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->file_info.at("a.raw").mtime_ns, 42);
  EXPECT_EQ((*got)->status, RawFileStatus::checksumming);

  RecordChange change;
  change.status = RawFileStatus::checksummed;
  change.backup_status = BackupStatus::in_progress;
  change.error = std::string("boom");
  change.message = "why";
  auto updated = store->update("a.raw", change);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->error, "boom");

  RecordChange clear;
  clear.error = std::optional<std::string>{};
  clear.message = "cleared";
  ASSERT_TRUE(store->update("a.raw", clear));
  EXPECT_FALSE((*store->get("a.raw"))->error);

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
  EXPECT_EQ((*events)[3].pid, 7);
}

TEST(RecordStore, DuplicateInsertIsAConflictAndUnknownUpdateFails) {
  TempDir dir;
  auto store = RecordStore::open(dir.path() / "s.sqlite", actor());
  ASSERT_TRUE(store->insert(sample("a.raw"), ""));
  auto again = store->insert(sample("a.raw"), "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_FALSE(store->update("b.raw", RecordChange{}));
}

TEST(RecordStore, ListFiltersByEitherStatusAndInstrumentNewestFirst) {
  TempDir dir;
  auto store = RecordStore::open(dir.path() / "s.sqlite", actor());
  RawFile old = sample("old.raw");
  old.created_at = "2026-01-01T00:00:00.000Z";
  old.backup_status = BackupStatus::failed;
  RawFile other = sample("other.raw");
  other.instrument_id = "timstof1";
  ASSERT_TRUE(store->insert(old, ""));
  ASSERT_TRUE(store->insert(sample("new.raw"), ""));
  ASSERT_TRUE(store->insert(other, ""));
  auto all = store->list({});
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->back().id, "old.raw");
  EXPECT_EQ(store->list({std::string("failed"), {}, {}})->size(), 1u);
  EXPECT_EQ(store->list({std::string("checksumming"), {}, {}})->size(), 3u);
  EXPECT_EQ(store->list({{}, std::string("timstof1"), {}})->size(), 1u);
  EXPECT_EQ(store->list({{}, {}, {"new.raw"}})->size(), 1u);
}

const Migration v1{1, "CREATE TABLE a (x INTEGER);"};
const Migration v2{2, "ALTER TABLE a ADD COLUMN y TEXT; INSERT INTO a VALUES (1, 'two');"};

TEST(Schema, MigratesForwardStepByStepAndOnlyOnce) {
  TempDir dir;
  auto db = sqlite::Database::open((dir.path() / "m.sqlite").string(), 1000);
  ASSERT_TRUE(db);
  std::vector<Migration> first{v1};
  ASSERT_TRUE(migrate(*db, first));
  EXPECT_EQ(*schema_version(*db), 1);
  std::vector<Migration> both{v1, v2};
  ASSERT_TRUE(migrate(*db, both));
  ASSERT_TRUE(migrate(*db, both));  // already there: nothing applied twice
  EXPECT_EQ(*schema_version(*db), 2);
  auto count = db->prepare("SELECT count(*) FROM a WHERE y = 'two'");
  ASSERT_TRUE(*count.step());
  EXPECT_EQ(count.integer(0), 1);
}

TEST(Schema, NewerStoreIsRefusedUntouched) {
  TempDir dir;
  auto path = dir.path() / "n.sqlite";
  {
    auto db = sqlite::Database::open(path.string(), 1000);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 99"));
  }
  auto store = RecordStore::open(path, actor());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::usage);
  EXPECT_NE(store.error().message.find("schema version 99, newer than this rawbackup"), std::string::npos);
  auto db = sqlite::Database::open(path.string(), 1000);
  EXPECT_EQ(*schema_version(*db), 99);
}

TEST(Schema, FailedMigrationRollsBack) {
  TempDir dir;
  auto db = sqlite::Database::open((dir.path() / "f.sqlite").string(), 1000);
  std::vector<Migration> broken{v1, Migration{2, "THIS IS NOT SQL"}};
  EXPECT_FALSE(migrate(*db, broken));
  EXPECT_EQ(*schema_version(*db), 0);
}

TEST(RecordStore, NotAStoreFileIsAUsageError) {
  TempDir dir;
  auto path = dir.path() / "junk.sqlite";
  dir.write("junk.sqlite", std::string(4096, 'x'));
  auto store = RecordStore::open(path, actor());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::usage);
}

// Two processes updating the same store at once: every write lands, the store stays sound.
TEST(RecordStore, ConcurrentWritersFromTwoProcesses) {
  TempDir dir;
  auto path = dir.path() / "c.sqlite";
  {
    auto store = RecordStore::open(path, actor());
    ASSERT_TRUE(store->insert(sample("a.raw"), ""));
  }
  constexpr int writes = 100;
  std::vector<pid_t> children;
  for (int child = 0; child < 2; ++child) {
    pid_t pid = fork();
    if (pid == 0) {
      auto store = RecordStore::open(path, Actor{"writer", "h", getpid()});
      int ok = store ? 0 : 1;
      for (int i = 0; store && i < writes; ++i) {
        RecordChange change;
        change.status = i % 2 ? RawFileStatus::copying : RawFileStatus::checksummed;
        change.message = std::to_string(i);
        if (!store->update("a.raw", change)) ok = 1;
        if (!store->insert(sample("c" + std::to_string(child) + "_" + std::to_string(i)), "")) ok = 1;
      }
      _exit(ok);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto store = RecordStore::open(path, actor());
  EXPECT_EQ(store->list({})->size(), 1u + 2 * writes);
  EXPECT_EQ(store->history("a.raw")->size(), 1u + 2 * writes);
  auto check = store->database().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(*check.step());
  EXPECT_EQ(check.text(0), "ok");
}

// Found through the Snakemake example: two processes opening a store that did not exist yet
// could get "busy" at once from the switch to WAL, which SQLite does not retry by itself.
TEST(RecordStore, ProcessesCreatingTheStoreAtOnceAllOpenIt) {
  TempDir dir;
  for (int round = 0; round < 200; ++round) {
    auto path = dir.path() / ("new" + std::to_string(round) + ".sqlite");
    std::vector<pid_t> children;
    for (int child = 0; child < 6; ++child) {
      pid_t pid = fork();
      if (pid == 0) {
        auto store = RecordStore::open(path, Actor{"opener", "h", getpid()});
        if (!store) std::fprintf(stderr, "%s\n", store.error().message.c_str());
        _exit(store ? 0 : 1);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace rawbackup

namespace rawbackup {
namespace {

LockOptions quick() {
  LockOptions o;
  o.wait = std::chrono::milliseconds(300);
  o.poll = std::chrono::milliseconds(20);
  return o;
}

TEST(RecordLock, SecondHolderIsBusyUntilTheFirstReleases) {
  TempDir dir;
  auto path = dir.path() / "l.sqlite";
  ASSERT_TRUE(RecordStore::open(path, actor()));
  auto first = RecordLock::acquire(path, "a.raw", Actor{"copy-local", "h", getpid()}, quick());
  ASSERT_TRUE(first);
  auto second = RecordLock::acquire(path, "a.raw", Actor{"checksum", "h", getpid()}, quick());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::failed);
  EXPECT_NE(second.error().message.find("busy: a.raw is held by copy-local on h pid"), std::string::npos);
  EXPECT_TRUE(RecordLock::acquire(path, "b.raw", actor(), quick()));  // other ids are free
  first->reset();
  EXPECT_TRUE(RecordLock::acquire(path, "a.raw", actor(), quick()));
}

TEST(RecordLock, LockOfADeadProcessOnThisHostIsTakenOver) {
  TempDir dir;
  auto path = dir.path() / "l.sqlite";
  ASSERT_TRUE(RecordStore::open(path, actor()));
  pid_t child = fork();
  if (child == 0) {
    auto lock = RecordLock::acquire(path, "a.raw", Actor{"checksum", "h", getpid()}, quick());
    _exit(lock ? 0 : 1);  // dies holding it: the destructor never runs
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(RecordLock::acquire(path, "a.raw", Actor{"checksum", "h", getpid()}, quick()));
}

TEST(RecordLock, LockOfAnotherHostIsTakenOverOnlyWhenItsHeartbeatIsStale) {
  TempDir dir;
  auto path = dir.path() / "l.sqlite";
  ASSERT_TRUE(RecordStore::open(path, actor()));
  auto held = RecordLock::acquire(path, "a.raw", Actor{"checksum", "other-host", 1}, quick());
  ASSERT_TRUE(held);
  EXPECT_FALSE(RecordLock::acquire(path, "a.raw", Actor{"checksum", "h", getpid()}, quick()));
  LockOptions impatient = quick();
  impatient.stale_after = std::chrono::milliseconds(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(RecordLock::acquire(path, "a.raw", Actor{"checksum", "h", getpid()}, impatient));
}

}  // namespace
}  // namespace rawbackup
