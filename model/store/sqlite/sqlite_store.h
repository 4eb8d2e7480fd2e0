// The embedded record store: one SQLite file (WAL, synchronous=FULL, busy timeout, prepared
// statements only, schema in PRAGMA user_version). For one host: SQLite's locking is not
// reliable over NFS or SMB, which is what the PostgreSQL store is for.
#pragma once
#include <chrono>
#include <filesystem>
#include <memory>

#include "model/record_store.h"

namespace rawbackup {

// Opens or creates the store (and its folder) and migrates it to this build's schema.
Result<std::unique_ptr<RecordStore>> open_sqlite_store(const std::filesystem::path& path, Actor actor,
                                                       const StoreOptions& options);

}  // namespace rawbackup
