// Record store schema and forward-only migrations (PRAGMA user_version).
#pragma once
#include <span>

#include "common/result.h"
#include "model/sqlite.h"

namespace rawbackup {

struct Migration {
  int version;      // user_version after this step
  const char* sql;  // applied inside the migration transaction
};

// The migrations of this build, in order.
std::span<const Migration> schema_migrations();

// Brings the store to the last version in `migrations` inside one IMMEDIATE transaction
// (so two processes opening a fresh store at once migrate it once). A store newer than
// this build is refused (usage error) and left untouched.
Status migrate(sqlite::Database& db, std::span<const Migration> migrations);

Result<int> schema_version(sqlite::Database& db);

}  // namespace rawbackup
