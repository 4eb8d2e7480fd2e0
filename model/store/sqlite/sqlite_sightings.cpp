#include "model/store/sqlite/sqlite_sightings.h"

namespace rawbackup::sqlite {

Result<std::vector<Sighting>> read_sightings(Database& db, const std::string& instrument_id) {
  Statement query = db.prepare(std::string("SELECT ") + sighting_columns +
                               " FROM scan_sightings WHERE instrument_id = ?1 ORDER BY name");
  query.bind(1, instrument_id);
  std::vector<Sighting> out;
  while (true) {
    Result<bool> more = query.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return out;
    out.push_back(Sighting{query.text(0), query.text(1), static_cast<uint64_t>(query.integer(2)), query.integer(3),
                           query.integer(4), query.integer(5), query.integer(6), query.integer(7)});
  }
}

// The merge model/sighting.h states: the same state keeps the earliest first/changed and the
// latest seen; another state is judged from this sighting.
constexpr const char* upsert_sql =
    "INSERT INTO scan_sightings (instrument_id, name, size, mtime_ns, first_seen_ms, changed_ms, seen_ms, gone_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (instrument_id, name) DO UPDATE SET "
    "first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), "
    "changed_ms = CASE WHEN size = excluded.size AND mtime_ns = excluded.mtime_ns "
    "  THEN min(changed_ms, excluded.changed_ms) ELSE excluded.changed_ms END, "
    "seen_ms = max(seen_ms, excluded.seen_ms), "
    "gone_ms = excluded.gone_ms, size = excluded.size, mtime_ns = excluded.mtime_ns";

Status write_sightings(Database& db, const std::string& instrument_id, const std::vector<Sighting>& seen,
                       const std::vector<std::string>& forget) {
  Statement upsert = db.prepare(upsert_sql);
  for (const Sighting& s : seen) {
    upsert.bind(1, instrument_id).bind(2, s.name).bind(3, static_cast<int64_t>(s.size)).bind(4, s.mtime_ns);
    upsert.bind(5, s.first_seen_ms).bind(6, s.changed_ms).bind(7, s.seen_ms).bind(8, s.gone_ms);
    TRY(upsert.run());
    upsert.reset();
  }
  Statement remove = db.prepare("DELETE FROM scan_sightings WHERE instrument_id = ?1 AND name = ?2");
  for (const std::string& name : forget) {
    remove.bind(1, instrument_id).bind(2, name);
    TRY(remove.run());
    remove.reset();
  }
  return {};
}

}  // namespace rawbackup::sqlite
