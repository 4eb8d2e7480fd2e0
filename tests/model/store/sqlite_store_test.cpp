// What only the SQLite store has: its migration mechanics (PRAGMA user_version), the move of
// file_info JSON into the files table (schema 5), files that are no store, and processes
// creating one store at once.
#include "model/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/store/sqlite/sqlite_schema.h"
#include "temp_dir.h"

namespace rawbackup {
namespace {

const Migration v1{1, "CREATE TABLE a (x INTEGER);"};
const Migration v2{2, "ALTER TABLE a ADD COLUMN y TEXT; INSERT INTO a VALUES (1, 'two');"};

TEST(SqliteSchema, MigratesForwardStepByStepAndOnlyOnce) {
  TempDir dir;
  auto db = sqlite::Database::open((dir.path() / "m.sqlite").string(), 1000);
  ASSERT_TRUE(db);
  std::vector<Migration> first{v1};
  ASSERT_TRUE(sqlite::migrate(*db, first));
  EXPECT_EQ(*sqlite::schema_version(*db), 1);
  std::vector<Migration> both{v1, v2};
  ASSERT_TRUE(sqlite::migrate(*db, both));
  ASSERT_TRUE(sqlite::migrate(*db, both));  // already there: nothing applied twice
  EXPECT_EQ(*sqlite::schema_version(*db), 2);
  auto count = db->prepare("SELECT count(*) FROM a WHERE y = 'two'");
  ASSERT_TRUE(*count.step());
  EXPECT_EQ(count.integer(0), 1);
}

TEST(SqliteSchema, FailedMigrationRollsBack) {
  TempDir dir;
  auto db = sqlite::Database::open((dir.path() / "f.sqlite").string(), 1000);
  std::vector<Migration> broken{v1, Migration{2, "THIS IS NOT SQL"}};
  EXPECT_FALSE(sqlite::migrate(*db, broken));
  EXPECT_EQ(*sqlite::schema_version(*db), 0);
}

// A store of schema 4 (file_info as JSON in the row) opened by this build: its files move to
// the files table, part MD5s empty (filled in by the next checksum --rehash).
TEST(SqliteSchema, Version5MovesFileInfoIntoTheFilesTable) {
  TempDir dir;
  auto path = dir.path() / "old.sqlite";
  {
    auto db = sqlite::Database::open(path.string(), 1000);
    auto all = sqlite::schema_migrations();
    ASSERT_TRUE(sqlite::migrate(*db, all.first(4)));
    ASSERT_TRUE(db->exec(
        "INSERT INTO raw_files (id, instrument_id, project_id, vendor, created_at, size, file_info, status, "
        "backup_status, updated_at) VALUES ('x.d', 'timstof1', 'P', 'bruker', '2026-01-01T00:00:00.000Z', 3, "
        "'{\"x.d/a\": {\"size\": 1, \"md5\": \"m1\", \"etag\": \"e1\", \"part_size\": 5, \"mtime_ns\": 9}, "
        "\"x.d/b\": {\"size\": 2, \"md5\": \"m2\", \"etag\": \"e2\", \"part_size\": 5}}', 'checksummed', 'pending', "
        "'2026-01-01T00:00:00.000Z')"));
  }
  auto store = open_sqlite_store(path, Actor{"test", "h", 1}, {});
  ASSERT_TRUE(store) << store.error().message;
  auto record = (*store)->get("x.d");
  ASSERT_TRUE(record && *record);
  ASSERT_EQ((*record)->file_info.size(), 2u);
  EXPECT_EQ((*record)->file_info.at("x.d/a"), (FileEntry{1, "m1", "e1", 5, 9, {}}));
  EXPECT_EQ((*record)->file_info.at("x.d/b").mtime_ns, 0);
  EXPECT_EQ((*record)->status, RawFileStatus::checksummed);
}

// A store of schema 6 (before purge) opened by this build: its records gain purged_at, unset.
TEST(SqliteSchema, Version7AddsPurgedAtUnset) {
  TempDir dir;
  auto path = dir.path() / "old.sqlite";
  {
    auto db = sqlite::Database::open(path.string(), 1000);
    ASSERT_TRUE(sqlite::migrate(*db, sqlite::schema_migrations().first(6)));
    ASSERT_TRUE(db->exec(
        "INSERT INTO raw_files (id, instrument_id, project_id, vendor, created_at, size, status, backup_status, "
        "updated_at) VALUES ('a.raw', 'astral1', 'P', 'thermo', '2026-01-01T00:00:00.000Z', 3, 'checksummed', "
        "'done', '2026-01-01T00:00:00.000Z')"));
  }
  auto store = open_sqlite_store(path, Actor{"test", "h", 1}, {});
  ASSERT_TRUE(store) << store.error().message;
  auto record = (*store)->get("a.raw");
  ASSERT_TRUE(record && *record);
  EXPECT_FALSE((*record)->purged_at);
  EXPECT_EQ((*record)->backup_status, BackupStatus::done);
}

TEST(SqliteStore, NotAStoreFileIsAUsageError) {
  TempDir dir;
  dir.write("junk.sqlite", std::string(4096, 'x'));
  auto store = open_sqlite_store(dir.path() / "junk.sqlite", Actor{"test", "h", 1}, {});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::usage);
}

TEST(SqliteStore, HealthOfAStoreWhoseFolderIsAFile) {
  TempDir dir;
  dir.write("backup", "a file where a folder should be");
  auto store = open_sqlite_store(dir.path() / "backup" / "var" / "s.sqlite", Actor{"doctor", "h", 1},
                                 StoreOptions{.read_only = true});
  ASSERT_TRUE(store) << store.error().message;
  auto health = (*store)->health();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->schema_version, 0);
  EXPECT_EQ(health->write_problem, (dir.path() / "backup").string() + " is not a folder");
}

}  // namespace
}  // namespace rawbackup
