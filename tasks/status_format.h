// Human-readable views of records for `status`.
#pragma once
#include <string>
#include <vector>

#include "model/record_store.h"

namespace rawbackup {

// Rows of cells as lines of left-aligned columns two spaces apart.
std::string align_columns(const std::vector<std::vector<std::string>>& rows);

// One line per record, aligned columns, newest first as given.
std::string format_record_table(const std::vector<RawFile>& records);
// Every field and every file of one record.
std::string format_record_detail(const RawFile& record);
std::string format_history(const std::vector<Event>& events);

}  // namespace rawbackup
