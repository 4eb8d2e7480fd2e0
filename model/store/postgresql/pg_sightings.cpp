#include "model/store/postgresql/pg_sightings.h"

#include <nlohmann/json.hpp>

namespace rawbackup::pg {

Result<std::vector<Sighting>> read_sightings(Connection& db, const std::string& instrument_id) {
  TRY_ASSIGN(rows, db.exec(std::string("SELECT ") + sighting_columns +
                               " FROM scan_sightings WHERE instrument_id = $1 ORDER BY name",
                           {instrument_id}));
  std::vector<Sighting> out;
  out.reserve(static_cast<size_t>(rows.count()));
  for (int i = 0; i < rows.count(); ++i) {
    out.push_back(Sighting{rows.text(i, 0), rows.text(i, 1), static_cast<uint64_t>(rows.integer(i, 2)),
                           rows.integer(i, 3), rows.integer(i, 4), rows.integer(i, 5), rows.integer(i, 6),
                           rows.integer(i, 7)});
  }
  return out;
}

// The merge model/sighting.h states, for every row of $2 at once.
constexpr const char* upsert_sql =
    "INSERT INTO scan_sightings AS s (instrument_id, name, size, mtime_ns, first_seen_ms, changed_ms, seen_ms, "
    "gone_ms) SELECT $1, name, size, mtime_ns, first_seen_ms, changed_ms, seen_ms, gone_ms FROM "
    "jsonb_to_recordset($2::jsonb) AS r(name text, size bigint, mtime_ns bigint, first_seen_ms bigint, "
    "changed_ms bigint, seen_ms bigint, gone_ms bigint) ORDER BY name "
    "ON CONFLICT (instrument_id, name) DO UPDATE SET "
    "first_seen_ms = LEAST(s.first_seen_ms, excluded.first_seen_ms), "
    "changed_ms = CASE WHEN s.size = excluded.size AND s.mtime_ns = excluded.mtime_ns "
    "  THEN LEAST(s.changed_ms, excluded.changed_ms) ELSE excluded.changed_ms END, "
    "seen_ms = GREATEST(s.seen_ms, excluded.seen_ms), "
    "gone_ms = excluded.gone_ms, size = excluded.size, mtime_ns = excluded.mtime_ns";

Status write_sightings(Connection& db, const std::string& instrument_id, const std::vector<Sighting>& seen,
                       const std::vector<std::string>& forget) {
  if (!seen.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Sighting& s : seen) {
      rows.push_back({{"name", s.name},
                      {"size", s.size},
                      {"mtime_ns", s.mtime_ns},
                      {"first_seen_ms", s.first_seen_ms},
                      {"changed_ms", s.changed_ms},
                      {"seen_ms", s.seen_ms},
                      {"gone_ms", s.gone_ms}});
    }
    TRY(db.exec(upsert_sql, {instrument_id, rows.dump()}));
  }
  if (!forget.empty()) {
    TRY(db.exec("DELETE FROM scan_sightings WHERE instrument_id = $1 AND name IN "
                "(SELECT jsonb_array_elements_text($2::jsonb))",
                {instrument_id, nlohmann::json(forget).dump()}));
  }
  return {};
}

}  // namespace rawbackup::pg
