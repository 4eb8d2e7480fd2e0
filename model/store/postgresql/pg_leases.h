// The lease rows of a PostgreSQL store (table record_locks) on a connection of their own.
// Heartbeats are stamped and aged by the server's clock, so hosts need not agree on time.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "model/lease.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

std::unique_ptr<LeaseTable> make_leases(Connection db, std::chrono::milliseconds busy_timeout);

}  // namespace rawbackup::pg
