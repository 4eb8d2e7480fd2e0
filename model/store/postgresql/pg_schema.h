// The PostgreSQL store's schema and forward-only migrations (version in rawbackup_schema).
#pragma once
#include <span>

#include "model/store/migration.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

// The migrations of this build, in order.
std::span<const Migration> schema_migrations();

// Brings the database to this build's schema in one transaction. One binary migrates at a
// time (a transaction-level advisory lock: released at commit, so no session state); a
// second one waits, then finds the work done. A database newer than this build is refused
// untouched. Read-only: kind usage unless the schema is exactly this build's.
Status migrate(Connection& db, const std::string& location, std::span<const Migration> steps, bool read_only);

// True when the database has no rawbackup schema at all (nothing recorded yet).
Result<bool> schema_missing(Connection& db);

}  // namespace rawbackup::pg
