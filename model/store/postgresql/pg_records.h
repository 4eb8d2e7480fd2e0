// The SQL of the PostgreSQL store's records, one statement each, run inside the caller's
// transaction (pg_store.cpp adds transactions and retries). A record's files and a change's
// events go as one JSON parameter each: one round trip for 20,000 files as for one.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/record_store.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

// The columns of a row: 0–12 a RecordRow (read_row), 13 s3_uploads.
extern const char* const row_columns;

Result<RecordRow> read_row(const Rows& rows, int row);

// The whole record (row and files, one statement: one snapshot); nullopt when none.
Result<std::optional<RawFile>> read_record(Connection& db, const std::string& id);
// The row without its files, locked until the transaction ends (FOR UPDATE).
Result<std::optional<RawFile>> lock_row(Connection& db, const std::string& id);

Status insert_row(Connection& db, const RawFile& record);  // kind conflict when it exists
Status update_row(Connection& db, const RawFile& record);
// Writes `files` as the record's files (after removing the old ones when `replace`).
Status write_files(Connection& db, const std::string& id, const FileInfo& files, bool replace);
Status append_events(Connection& db, const std::vector<Event>& events);

}  // namespace rawbackup::pg
