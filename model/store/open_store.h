// The one place that chooses a record store backend, by the URL's scheme (config/store_url.h).
#pragma once
#include <memory>
#include <string>

#include "model/record_store.h"

namespace rawbackup {

// Opens (creating a SQLite store, migrating either) the store at `url` for `actor`.
// Errors never show a password that the URL may carry.
Result<std::unique_ptr<RecordStore>> open_store(const std::string& url, Actor actor, const StoreOptions& options);

}  // namespace rawbackup
