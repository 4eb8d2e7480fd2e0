// A store with no records that refuses writes: what a read-only open finds where nothing has
// been recorded yet (no SQLite file, no rawbackup schema in the database), so that `status`
// or a dry run on a new installation shows nothing instead of failing or creating a store.
#pragma once
#include <memory>
#include <string>

#include "model/record_store.h"

namespace rawbackup {

// `health`: what the opener found about creating the store there (schema version 0).
std::unique_ptr<RecordStore> make_empty_store(std::string location, Actor actor, StoreHealth health);

}  // namespace rawbackup
