#include "model/store/migration.h"

namespace rawbackup {

Status check_version(const std::string& location, int found, int latest, bool may_migrate) {
  if (found > latest) {
    return fail(ErrorKind::usage, "store " + location + " has schema version " + std::to_string(found) +
                                      ", newer than this rawbackup (" + std::to_string(latest) +
                                      "); upgrade rawbackup");
  }
  if (found < latest && !may_migrate) {
    return fail(ErrorKind::usage, "store " + location + " has schema version " + std::to_string(found) +
                                      " and needs an upgrade to " + std::to_string(latest) +
                                      ", which a read-only task cannot make; run a task with write access first");
  }
  return {};
}

}  // namespace rawbackup
