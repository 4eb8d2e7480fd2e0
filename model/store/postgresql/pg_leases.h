// The lease rows of a PostgreSQL store (table record_locks), on the store's connection.
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

}  // namespace rawbackup::pg
