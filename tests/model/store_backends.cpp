#include "store_backends.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "model/store/postgresql/pg.h"
#include "model/store/postgresql/pg_schema.h"
#include "model/store/sqlite/sqlite_schema.h"

namespace rawbackup::testing {
namespace {

class SqliteSite final : public StoreSite {
 public:
  std::string url() const override { return "sqlite://" + (dir_.path() / "store.sqlite").string(); }
  void set_schema_version(int version) override {
    auto db = sqlite::Database::open((dir_.path() / "store.sqlite").string(), 1000);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(version)));
  }
  int schema_version() override {
    auto db = sqlite::Database::open((dir_.path() / "store.sqlite").string(), 1000);
    return *sqlite::schema_version(*db);
  }
  void replay_migration(int version) override {
    auto db = sqlite::Database::open((dir_.path() / "store.sqlite").string(), 1000);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec(migration_to("sqlite", version).sql));
  }
  bool deny_writes() override {
    if (geteuid() == 0) return false;
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::remove);
    denied_ = true;
    return true;
  }
  ~SqliteSite() override {
    if (denied_)
      std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  }

 private:
  TempDir dir_;
  bool denied_ = false;
};

// A schema of its own on the test server, dropped at the end.
class PostgresSite final : public StoreSite {
 public:
  explicit PostgresSite(std::string base) : base_(std::move(base)) {
    static int counter = 0;
    schema_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    if (!admin().exec("CREATE SCHEMA " + schema_)) throw std::runtime_error("cannot create schema " + schema_);
  }
  ~PostgresSite() override { (void)admin().exec("DROP SCHEMA " + schema_ + " CASCADE"); }

  std::string url() const override {
    return base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
  }
  void set_schema_version(int version) override {
    auto db = pg::Connection::open(url(), "test");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("UPDATE rawbackup_schema SET version = $1", {std::to_string(version)}));
  }
  int schema_version() override {
    auto db = pg::Connection::open(url(), "test");
    auto rows = db->exec("SELECT version FROM rawbackup_schema");
    return rows && rows->count() == 1 ? static_cast<int>(rows->integer(0, 0)) : -1;
  }
  void replay_migration(int version) override {
    auto db = pg::Connection::open(url(), "test");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec(migration_to("postgresql", version).sql));
  }
  bool deny_writes() override {
    return static_cast<bool>(admin().exec("REVOKE INSERT ON " + schema_ + ".raw_files FROM current_user"));
  }

 private:
  pg::Connection& admin() {
    if (!admin_) {
      auto db = pg::Connection::open(base_, "test");
      if (!db) throw std::runtime_error(db.error().message);
      admin_ = std::make_unique<pg::Connection>(std::move(*db));
    }
    return *admin_;
  }

  std::string base_;
  std::string schema_;
  std::unique_ptr<pg::Connection> admin_;
};

}  // namespace

std::vector<StoreBackend> store_backends() {
  std::vector<StoreBackend> out{{"sqlite", [] { return std::unique_ptr<StoreSite>(std::make_unique<SqliteSite>()); }}};
  if (const char* pg_url = std::getenv("RAWBACKUP_TEST_PG_URL"); pg_url != nullptr && *pg_url != '\0') {
    std::string base = pg_url;
    out.push_back({"postgresql", [base] { return std::unique_ptr<StoreSite>(std::make_unique<PostgresSite>(base)); }});
  }
  return out;
}

namespace {
std::span<const Migration> migrations_of(const std::string& backend) {
  return backend == "sqlite" ? sqlite::schema_migrations() : pg::schema_migrations();
}
}  // namespace

int latest_schema(const std::string& backend) { return latest_version(migrations_of(backend)); }

const Migration& migration_to(const std::string& backend, int version) {
  for (const Migration& step : migrations_of(backend))
    if (step.version == version) return step;
  throw std::invalid_argument(backend + " has no migration to version " + std::to_string(version));
}

}  // namespace rawbackup::testing
