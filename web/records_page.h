// The records table (filters, paging, CSV and JSON of the same view) and the failures page,
// read through RecordStore::list_rows, newest first, one page held at a time.
#pragma once
#include <string>
#include <vector>

#include "web/params.h"
#include "web/site.h"

namespace rawbackup::web {

struct RecordsView {
  RecordsQuery query;
  std::vector<RecordRow> rows;  // this page
  bool more = false;            // a next page exists
};

Result<RecordsView> records_view(RecordStore& store, const RecordsQuery& query);
WebResponse records_response(const RecordsView& view);

// Every record in error or with a failed or attention backup, by instrument (at most `limit`
// of each kind, the newest).
struct FailuresView {
  std::vector<RecordRow> rows;
  bool truncated = false;
};
Result<FailuresView> failures_view(RecordStore& store, uint64_t limit);
WebResponse failures_response(const Config& config, const FailuresView& view, bool json);

// The command that runs a record's next step again, as an operator pastes it.
std::string rerun_command(const Config& config, const RecordRow& row, bool checksummed);

// The cells of a record row: name (linked), instrument, status, backup, size, acquired, error.
std::vector<std::string> record_cells(const RecordRow& row);
const std::vector<std::string>& record_headers();

}  // namespace rawbackup::web
