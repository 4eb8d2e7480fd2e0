#include "model/store/postgresql/pg_health.h"

namespace rawbackup::pg {
namespace {

// What the tasks do: rows read, inserted and updated; a record's files replaced (DELETE);
// locks taken and released. One privilege per row: has_table_privilege with a list says
// whether *any* is held. The query lists the missing ones, in one round trip.
constexpr const char* missing_privileges = R"sql(
SELECT p || ' on ' || t FROM (VALUES
  ('raw_files', 'SELECT'), ('raw_files', 'INSERT'), ('raw_files', 'UPDATE'),
  ('raw_file_files', 'SELECT'), ('raw_file_files', 'INSERT'), ('raw_file_files', 'UPDATE'),
  ('raw_file_files', 'DELETE'), ('events', 'SELECT'), ('events', 'INSERT'),
  ('record_locks', 'SELECT'), ('record_locks', 'INSERT'), ('record_locks', 'UPDATE'),
  ('record_locks', 'DELETE')) AS needed(t, p)
WHERE NOT has_table_privilege(t, p)
UNION ALL
SELECT 'USAGE on events'' sequence' WHERE NOT has_sequence_privilege(pg_get_serial_sequence('events', 'seq'), 'USAGE')
)sql";

// "" when the session may write at all; else why not.
Result<std::string> read_only_session(Connection& db) {
  TRY_ASSIGN(rows, db.exec("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"));
  if (rows.text(0, 0) == "t") return std::string("the server is a read-only standby: connect to the primary");
  if (rows.text(0, 1) == "on") {
    return std::string("sessions are read-only (default_transaction_read_only): ALTER ROLE … SET it off");
  }
  return std::string();
}

}  // namespace

Result<StoreHealth> store_health(Connection& db) {
  TRY_ASSIGN(version, db.exec("SELECT coalesce(max(version), 0) FROM rawbackup_schema"));
  StoreHealth health{static_cast<int>(version.integer(0, 0)), ""};
  TRY_ASSIGN(session, read_only_session(db));
  if (!session.empty()) {
    health.write_problem = session;
    return health;
  }
  TRY_ASSIGN(rows, db.exec(missing_privileges));
  std::string missing;
  for (int i = 0; i < rows.count(); ++i) missing += (missing.empty() ? "" : ", ") + rows.text(i, 0);
  if (!missing.empty()) {
    TRY_ASSIGN(user, db.exec("SELECT current_user"));
    health.write_problem = "user " + user.text(0, 0) + " lacks " + missing +
                           ": GRANT SELECT, INSERT, UPDATE, DELETE ON raw_files, raw_file_files, events, "
                           "record_locks TO " +
                           user.text(0, 0) + "; GRANT USAGE ON SEQUENCE events_seq_seq TO " + user.text(0, 0);
  }
  return health;
}

Result<StoreHealth> empty_store_health(Connection& db) {
  StoreHealth health;
  TRY_ASSIGN(session, read_only_session(db));
  health.write_problem = session;
  if (!session.empty()) return health;
  TRY_ASSIGN(rows, db.exec("SELECT has_schema_privilege(current_schema(), 'CREATE'), current_schema(), current_user"));
  if (rows.text(0, 0) != "t") {
    health.write_problem = "user " + rows.text(0, 2) + " may not create the store's tables in schema " +
                           rows.text(0, 1) + ": GRANT CREATE ON SCHEMA " + rows.text(0, 1) + " TO " + rows.text(0, 2);
  }
  return health;
}

}  // namespace rawbackup::pg
