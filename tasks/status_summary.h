// The `status --summary` view: counts and bytes per instrument, and the last errors.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "model/record_store.h"

namespace rawbackup {

// The store's summary as status's result (a TaskResult).
struct SummaryResult {
  StoreSummary summary;

  std::string outcome() const { return "ok"; }
  uint64_t bytes_moved() const { return 0; }
  // {"summary": {"records", "bytes", "bytes_local", "bytes_s3", "status": {name: n},
  // "backup_status": {name: n}, "instruments": {id: the same fields}, "last_errors": [{"id",
  // "instrument", "updated_at", "error"}] (newest first)}}. Local bytes: records whose
  // copy-local finished; S3 bytes: records with an S3 upload path (upload-s3 finished).
  nlohmann::json to_json() const;
  // A table with one row per instrument and one for all, then the last errors.
  std::string to_text() const;
};

}  // namespace rawbackup
