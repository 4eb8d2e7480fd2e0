// The lease rows of a SQLite store (table record_locks), on a connection of their own.
#pragma once
#include <memory>
#include <string>

#include "model/lease.h"

namespace rawbackup {

Result<std::unique_ptr<LeaseTable>> open_sqlite_leases(const std::string& path, int busy_timeout_ms);

}  // namespace rawbackup
