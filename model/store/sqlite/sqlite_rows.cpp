#include "model/store/sqlite/sqlite_rows.h"

namespace rawbackup::sqlite {

const char* const row_columns =
    "SELECT id, instrument_id, project_id, vendor, created_at, size, status, backup_status, "
    "backup_base_path, s3_upload_path, error, updated_at, last_verified_at, s3_uploads, purged_at, "
    "backup_purged_at FROM raw_files";

Result<RecordRow> read_row(const Statement& row) {
  RecordRow r;
  r.id = row.text(0);
  r.instrument_id = row.text(1);
  r.project_id = row.text(2);
  auto vendor = vendor_from(row.text(3));
  auto status = raw_file_status_from(row.text(6));
  auto backup = backup_status_from(row.text(7));
  if (!vendor || !status || !backup)
    return fail("record " + r.id + " has an unknown vendor or status; upgrade rawbackup");
  r.vendor = *vendor;
  r.created_at = row.text(4);
  r.size = static_cast<uint64_t>(row.integer(5));
  r.status = *status;
  r.backup_status = *backup;
  r.backup_base_path = row.optional_text(8);
  r.s3_upload_path = row.optional_text(9);
  r.error = row.optional_text(10);
  r.updated_at = row.text(11);
  r.last_verified_at = row.optional_text(12);
  r.purged_at = row.optional_text(14);
  r.backup_purged_at = row.optional_text(15);
  return r;
}

Status visit_rows(Statement& query, const RowVisitor& visit) {
  while (true) {
    Result<bool> more = query.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return {};
    TRY_ASSIGN(row, read_row(query));
    TRY(visit(row));
  }
}

}  // namespace rawbackup::sqlite
