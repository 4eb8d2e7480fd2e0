// Human-readable views of records for `status`.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/record_store.h"

namespace rawbackup {

// Rows of cells as lines of left-aligned columns two spaces apart.
std::string align_columns(const std::vector<std::vector<std::string>>& rows);

// The status table, built row by row so that rows can stream from the store: measure()
// every row first, then header() and line() for each.
class TableLayout {
 public:
  TableLayout();
  void measure(const RecordRow& row);
  std::string header() const;
  std::string line(const RecordRow& row) const;

 private:
  std::string aligned(const std::vector<std::string>& cells) const;
  std::vector<size_t> widths_;
};

// "50 of 100002 record(s), newest first (--limit N or --all for more)" or "3 record(s)".
std::string table_footer(uint64_t shown, uint64_t total);
// Every field and every file of one record.
std::string format_record_detail(const RawFile& record);
std::string format_history(const std::vector<Event>& events);
// One event of a record's history as JSON (status --history, the web page's API).
nlohmann::json event_json(const Event& e);

}  // namespace rawbackup
