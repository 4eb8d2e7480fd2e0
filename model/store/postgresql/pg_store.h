// The shared record store on PostgreSQL (libpq): for a facility of many hosts. Every
// operation is one short transaction; lost connections, server restarts, serialization
// failures and deadlocks are retried within the busy timeout (pg_retry.h).
#pragma once
#include <memory>
#include <string>

#include "model/record_store.h"

namespace rawbackup {

// Connects (libpq's conventions apply: PGPASSWORD, ~/.pgpass, PGSSLROOTCERT, service files)
// and migrates the database to this build's schema.
Result<std::unique_ptr<RecordStore>> open_postgresql_store(const std::string& url, Actor actor,
                                                           const StoreOptions& options);

}  // namespace rawbackup
