#include "model/store/open_store.h"

#include "config/store_url.h"
#include "model/store/postgresql/pg_store.h"
#include "model/store/sqlite/sqlite_store.h"

namespace rawbackup {

Result<std::unique_ptr<RecordStore>> open_store(const std::string& url, Actor actor, const StoreOptions& options) {
  TRY_ASSIGN(parsed, parse_store_url(url));
  switch (parsed.kind) {
    case StoreKind::sqlite: return open_sqlite_store(parsed.path, std::move(actor), options);
    case StoreKind::postgresql: return open_postgresql_store(parsed.url, std::move(actor), options);
  }
  return fail(ErrorKind::usage, "unknown store kind");
}

}  // namespace rawbackup
