// What `doctor` asks of a PostgreSQL store without writing to it (RecordStore::health).
#pragma once
#include "model/record_store.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

// The schema version and why this user's writes would be refused: a standby or read-only
// session, or a missing privilege on one of the store's tables (named, with the GRANT that
// gives it).
Result<StoreHealth> store_health(Connection& db);

// Where no schema exists yet: whether this user could create it (CREATE on the schema).
Result<StoreHealth> empty_store_health(Connection& db);

}  // namespace rawbackup::pg
