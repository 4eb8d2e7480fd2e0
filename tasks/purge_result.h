// What one purge run reports: each rule's check and what was (or would be) deleted.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "transfer/instrument_copy.h"

namespace rawbackup {

enum class CheckState { ok, failed, not_checked };

struct PurgeCheck {
  std::string name;  // "backed up", "age", "instrument copy", "local backup", "s3 backup", "instrument content"
  CheckState state = CheckState::not_checked;
  std::string detail;
};

// verdict: "purged", "unchanged" (purged before, nothing left), "kept" (too young), "refused"
// (a rule failed: nothing deleted). A dry run's outcome is "dry-run", its verdict what a run
// would do.
struct PurgeResult {
  std::string id;
  std::string verdict;
  bool dry_run = false;
  bool verbose = false;  // the text lists every file (else one line per set)
  std::string reason;  // why kept or refused, one line ("" otherwise)
  std::vector<PurgeCheck> checks;
  InstrumentCopy copy;  // as found (present: what is, or would be, deleted)
  Deletion deleted;

  std::string outcome() const { return dry_run ? "dry-run" : verdict; }
  uint64_t bytes_moved() const { return 0; }  // frees bytes; moves none
  nlohmann::json to_json() const;
  std::string to_text() const;
};

}  // namespace rawbackup
