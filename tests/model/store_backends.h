// The record store backends the conformance suite runs against: SQLite always, PostgreSQL
// when RAWBACKUP_TEST_PG_URL names a server (integration/store_postgresql_test.sh starts a
// throwaway cluster and runs the suite with it). Each test gets a store of its own: a new
// file, or a new schema on the server (selected with libpq's options=-csearch_path=…).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "model/store/migration.h"
#include "model/store/open_store.h"
#include "temp_dir.h"

namespace rawbackup::testing {

// A fresh, empty place for a store, removed at the end.
class StoreSite {
 public:
  virtual ~StoreSite() = default;
  virtual std::string url() const = 0;
  // Sets the schema version the store records (to provoke a newer or older store).
  virtual void set_schema_version(int version) = 0;
  virtual int schema_version() = 0;
  // Runs the backend's migration to `version` once more on the store as it is (to apply one
  // data migration to records written in the old form, without the later steps).
  virtual void replay_migration(int version) = 0;
  // Takes this user's write access away (a privilege, the folder's mode); false when it
  // cannot be done here (root ignores file modes).
  virtual bool deny_writes() = 0;
};

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<StoreSite>()> make;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

std::vector<StoreBackend> store_backends();

// The backend's latest schema version.
int latest_schema(const std::string& backend);

// The backend's migration step to `version`.
const Migration& migration_to(const std::string& backend, int version);

// Each test of the suite: a fresh site, stores opened on it as any actor.
class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { site = GetParam().make(); }

  std::unique_ptr<RecordStore> open(Actor actor = {"test", "host", 7}, StoreOptions options = {}) {
    auto store = open_store(site->url(), std::move(actor), options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  std::unique_ptr<StoreSite> site;
};

// A record of one file (two parts recorded) on instrument astral1.
inline RawFile sample_record(const std::string& id) {
  RawFile r;
  r.id = id;
  r.instrument_id = "astral1";
  r.project_id = "PRID1";
  r.created_at = "2026-11-01T10:00:00.000Z";
  r.size = 10;
  r.file_info["a.raw"] = FileEntry{10, "m", "e-2", 5, 42, {Md5Digest{1, 2, 3}, Md5Digest{255, 254}}, "o-3", 4};
  return r;
}

}  // namespace rawbackup::testing
