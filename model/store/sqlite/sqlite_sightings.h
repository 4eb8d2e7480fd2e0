// The sightings of a SQLite store (table scan_sightings; model/sighting.h).
#pragma once
#include <string>
#include <vector>

#include "model/sighting.h"
#include "model/store/sqlite/sqlite.h"

namespace rawbackup::sqlite {

Result<std::vector<Sighting>> read_sightings(Database& db, const std::string& instrument_id);
// Upserts `seen` and deletes `forget`, inside the caller's transaction.
Status write_sightings(Database& db, const std::string& instrument_id, const std::vector<Sighting>& seen,
                       const std::vector<std::string>& forget);

}  // namespace rawbackup::sqlite
