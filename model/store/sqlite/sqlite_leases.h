// The lease rows of a SQLite store (table record_locks), on a connection of their own.
#pragma once
#include <memory>
#include <string>

#include "model/lease.h"
#include "model/store/sqlite/sqlite.h"

namespace rawbackup {

Result<std::unique_ptr<LeaseTable>> open_sqlite_leases(const std::string& path, int busy_timeout_ms);
// The lock row of `id` on `db` (inside the caller's transaction, if any); nullopt when free.
Result<std::optional<LeaseHolder>> read_lease_row(sqlite::Database& db, const std::string& id);
// Who changed record `id` last (LeaseTable::last_change), on `db`.
Result<std::string> read_last_change(sqlite::Database& db, const std::string& id);

}  // namespace rawbackup
