// The lease rows of a PostgreSQL store (table record_locks), on a connection of the lease's own.
// Heartbeats are stamped and aged by the server's clock, so hosts need not agree on time.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "model/lease.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

std::unique_ptr<LeaseTable> make_leases(std::shared_ptr<SharedConnection> shared,
                                        std::chrono::milliseconds busy_timeout);
// The lock row of `id`, one statement in the caller's transaction; nullopt when free. With
// `for_share` the row stays as read until that transaction ends (a takeover waits for it).
Result<std::optional<LeaseHolder>> read_lease_row(Connection& db, const std::string& id, bool for_share);
// Who changed record `id` last (LeaseTable::last_change), one statement.
Result<std::string> read_last_change(Connection& db, const std::string& id);

}  // namespace rawbackup::pg
