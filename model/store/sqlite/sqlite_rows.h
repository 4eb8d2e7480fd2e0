// Record rows of a SQLite store (table raw_files, without files): the columns every listing
// selects and how one is read (the PostgreSQL store's pg_records.h holds the same).
#pragma once
#include "model/record_store.h"
#include "model/store/sqlite/sqlite.h"

namespace rawbackup::sqlite {

// "SELECT <columns> FROM raw_files": 0–12 and 14–15 a RecordRow (read_row), 13 s3_uploads.
extern const char* const row_columns;
Result<RecordRow> read_row(const Statement& row);
// Steps `query` (selecting row_columns) to its end, each row to `visit`.
Status visit_rows(Statement& query, const RowVisitor& visit);

}  // namespace rawbackup::sqlite
