// What one purge run reports: each rule's check and what was (or would be) deleted, and the
// verdict the rules build (shared by the purge of the instrument copy and of the local backup).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"
#include "transfer/set_copy.h"

namespace rawbackup {

enum class CheckState { ok, failed, not_checked };

struct PurgeCheck {
  std::string name;  // "backed up", "age", "instrument copy", "local backup", "s3 backup", …
  CheckState state = CheckState::not_checked;
  std::string detail;
};

// verdict: "purged", "unchanged" (purged before, nothing left), "kept" (too young), "refused"
// (a rule failed: nothing deleted). A dry run's outcome is "dry-run", its verdict what a run
// would do.
struct PurgeResult {
  std::string id;
  std::string target = "instrument";  // or "backup": the local backup folder
  std::string verdict = "purged";
  bool dry_run = false;
  bool verbose = false;  // the text lists every file (else one line per set)
  std::string reason;    // why kept or refused, one line ("" otherwise)
  std::vector<PurgeCheck> checks;
  SetCopy copy;  // as found (present: what is, or would be, deleted)
  Deletion deleted;
  std::vector<AsideCopy> aside_due;   // .N.bkp copies past their minimum age: deleted (or would be)
  size_t aside_kept = 0;              // .N.bkp copies younger than their minimum age
  Deletion aside_deleted;

  std::string outcome() const { return dry_run ? "dry-run" : verdict; }
  uint64_t bytes_moved() const { return 0; }  // frees bytes; moves none
  nlohmann::json to_json() const;
  std::string to_text() const;

 private:
  std::string aside_text() const;
};

// A purge's verdict, built rule by rule: a real run stops at the first rule that fails, a dry
// run makes them all (going_on()).
class PurgeVerdict {
 public:
  PurgeVerdict(const std::string& id, const std::string& target, bool dry_run, bool verbose);

  bool going_on() const { return result.dry_run || result.verdict == "purged"; }
  void add_check(std::string name, CheckState state, std::string detail);
  // A failed rule: `verdict` "refused" (with its exit code) or "kept" (the skip code). The
  // reason shown is the first of the worst verdict (a dry run goes on after a failed rule).
  void stop(const std::string& verdict, int code, const std::string& reason);

  PurgeResult result;
  int exit_code = 0;
};

// "12.3": days rounded down to a tenth, as the age checks show them.
std::string days_text(double days);
// Days from `at` to now.
double days_since(Clock::time_point at);
// Days from `utc` (stored format) to now; nullopt for a time that does not parse.
std::optional<double> days_since(const std::string& utc);

}  // namespace rawbackup
