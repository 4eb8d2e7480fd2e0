// The SQLite store's schema and forward-only migrations (PRAGMA user_version).
#pragma once
#include <span>

#include "common/result.h"
#include "model/store/migration.h"
#include "model/store/sqlite/sqlite.h"

namespace rawbackup::sqlite {

// The migrations of this build, in order.
std::span<const Migration> schema_migrations();

// Brings the store to the last version in `migrations` inside one IMMEDIATE transaction
// (so two processes opening a fresh store at once migrate it once). A store newer than
// this build is refused (usage error) and left untouched.
Status migrate(Database& db, std::span<const Migration> migrations);

Result<int> schema_version(Database& db);

// For a store opened read-only: kind usage unless it has exactly this build's schema (an
// older one needs a task with write access to migrate it first; a newer one a newer build).
Status check_schema(Database& db, std::span<const Migration> migrations);

}  // namespace rawbackup::sqlite
