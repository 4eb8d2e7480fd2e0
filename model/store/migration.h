// Schema versions of a record store: forward-only steps, each applied in the migration's
// transaction. Shared by the backends (their SQL differs, the rules do not).
#pragma once
#include <span>
#include <string>

#include "common/result.h"

namespace rawbackup {

struct Migration {
  int version;      // the schema version after this step
  const char* sql;  // applied inside the migration transaction
};

// The version a set of migrations leads to.
inline int latest_version(std::span<const Migration> steps) { return steps.empty() ? 0 : steps.back().version; }

// Kind usage unless a store at `found` can be used by this build, which knows up to `latest`:
// a newer store is refused untouched; an older one only when `may_migrate` is false (a store
// opened read-only cannot be migrated).
Status check_version(const std::string& location, int found, int latest, bool may_migrate);

}  // namespace rawbackup
