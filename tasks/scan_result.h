// What one `scan` run reports: the verdicts of every instrument folder, the ready sets a DAG
// maps over (the oldest first, at most --limit), and the folders that could not be scanned.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tasks/scan_rules.h"

namespace rawbackup {

struct ScannedSet {
  std::string instrument;
  ScanVerdict verdict;
  std::string instrument_dir{};  // the instrument's folder, for the DAG run's conf
};

struct ScanFolderError {
  std::string instrument;
  std::string message;
};

struct ScanResult {
  std::vector<ScannedSet> sets;  // sorted: ready (oldest first), then by instrument and name
  std::vector<ScanFolderError> errors;
  uint64_t limit = 0;  // 0: every ready set is handed on
  bool all = false;    // recorded sets are listed too

  std::string outcome() const { return errors.empty() ? "ok" : "error"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const;
  std::string to_text() const;

  // The ready sets handed on (at most `limit`) and how many more are ready.
  std::vector<const ScannedSet*> handed_on() const;
  uint64_t more_ready() const;
};

// Orders `sets` as ScanResult::sets says.
void sort_scanned(std::vector<ScannedSet>& sets);

}  // namespace rawbackup
