// The sightings of a PostgreSQL store (table scan_sightings; model/sighting.h).
#pragma once
#include <string>
#include <vector>

#include "model/sighting.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

Result<std::vector<Sighting>> read_sightings(Connection& db, const std::string& instrument_id);
// Upserts `seen` and deletes `forget` in two statements, inside the caller's transaction.
// Rows are written in name order, so two hosts saving at once wait for each other rather than
// deadlock.
Status write_sightings(Connection& db, const std::string& instrument_id, const std::vector<Sighting>& seen,
                       const std::vector<std::string>& forget);

}  // namespace rawbackup::pg
