#include "model/store/postgresql/pg_health.h"

#include <array>

namespace rawbackup::pg {
namespace {

struct Needed {
  const char* table;
  const char* privileges;  // each must be held (has_table_privilege says "any" for a list)
};
// What the tasks do: rows read, inserted and updated; a record's files replaced (DELETE);
// locks taken and released.
constexpr std::array<Needed, 4> needed{{
    {"raw_files", "SELECT INSERT UPDATE"},
    {"raw_file_files", "SELECT INSERT UPDATE DELETE"},
    {"events", "SELECT INSERT"},
    {"record_locks", "SELECT INSERT UPDATE DELETE"},
}};

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
  std::string missing;
  for (const Needed& n : needed) {
    std::string privileges = n.privileges;
    for (size_t start = 0; start < privileges.size();) {
      size_t end = privileges.find(' ', start);
      if (end == std::string::npos) end = privileges.size();
      std::string privilege = privileges.substr(start, end - start);
      TRY_ASSIGN(held, db.exec("SELECT has_table_privilege($1, $2)", {n.table, privilege}));
      if (held.text(0, 0) != "t") missing += (missing.empty() ? "" : ", ") + privilege + " on " + n.table;
      start = end + 1;
    }
  }
  TRY_ASSIGN(sequence, db.exec("SELECT has_sequence_privilege(pg_get_serial_sequence('events', 'seq'), 'USAGE')"));
  if (sequence.text(0, 0) != "t") missing += std::string(missing.empty() ? "" : ", ") + "USAGE on events' sequence";
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
