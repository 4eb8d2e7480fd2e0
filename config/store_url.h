// Where the record store is, as a URL (config `store`, RAWBACKUP_STORE_URL, `store copy`):
//   sqlite:///abs/path.sqlite         the embedded store (a config's store.path becomes this)
//   postgresql://user@host:5432/db?sslmode=verify-full   (postgres:// too) a shared server;
//     libpq reads the rest as usual: PGPASSWORD, ~/.pgpass, PGSSLROOTCERT, service files.
// Pure: parsing and redaction only (tests/config/store_url_test.cpp).
#pragma once
#include <string>

#include "common/result.h"

namespace rawbackup {

enum class StoreKind { sqlite, postgresql };

struct StoreUrl {
  StoreKind kind = StoreKind::sqlite;
  std::string path;           // sqlite: the absolute file path
  std::string url;            // as given (postgresql: handed to libpq unchanged)
  bool has_password = false;  // "user:secret@" or a password= parameter
};

// Kind usage for anything but the two forms above (naming what was wrong).
Result<StoreUrl> parse_store_url(const std::string& url);

// The URL with any password replaced by "***", for logs, errors and results.
std::string redact_store_url(const std::string& url);

}  // namespace rawbackup
