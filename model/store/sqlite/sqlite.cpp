#include "model/store/sqlite/sqlite.h"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>

namespace rawbackup::sqlite {

namespace {

bool is_busy(sqlite3* db) {
  int primary = sqlite3_extended_errcode(db) & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

Error error_from(sqlite3* db, int rc, const std::string& what) {
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return {ErrorKind::failed, what + ": record store is busy (another rawbackup is writing); retry"};
  }
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  ErrorKind kind =
      primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT
          ? ErrorKind::usage
          : ErrorKind::failed;
  return {kind, what + ": " + detail};
}

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("SQL error: " + std::string(sqlite3_errmsg(db)));
}

Statement& Statement::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind_blob(int index, const std::string& bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  if (value) return bind(index, *value);
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(error_from(db_, rc, "record store"));
}

Status Statement::run() {
  TRY(step());
  return {};
}

std::string Statement::text(int column) const {
  auto* p = sqlite3_column_text(stmt_.get(), column);
  return p != nullptr ? reinterpret_cast<const char*>(p) : "";
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::span<const std::byte> Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_.get(), column);
  auto n = static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column));
  return p != nullptr ? std::span(static_cast<const std::byte*>(p), n) : std::span<const std::byte>{};
}

Result<Database> Database::open(const std::string& path, int busy_timeout_ms, bool read_only) {
  sqlite3* raw = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  db.path_ = path;
  if (rc != SQLITE_OK) return std::unexpected(error_from(raw, rc, "cannot open store " + path));
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  if (read_only) return db;
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // Switching a new store to WAL can answer "busy" at once, without the busy handler, while
  // another process creates the same store; retried here within the busy timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  Status wal = db.exec("PRAGMA journal_mode=WAL");
  while (!wal && is_busy(raw) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    wal = db.exec("PRAGMA journal_mode=WAL");
  }
  if (!wal) return fail(wal.error(), "store " + path);
  if (Status s = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-512;"); !s) {
    return fail(s.error(), "store " + path);
  }
  return db;
}

Status Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
  std::string detail = message != nullptr ? message : "";
  sqlite3_free(message);
  if (rc == SQLITE_OK) return {};
  Error e = error_from(db_.get(), rc, "record store");
  if ((rc & 0xff) != SQLITE_BUSY && !detail.empty()) e.message = "record store: " + detail;
  return std::unexpected(e);
}

Result<Transaction> Transaction::begin(Database& db) {
  TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  Status s = db_->exec("COMMIT");
  if (s) db_ = nullptr;
  return s;
}

}  // namespace rawbackup::sqlite
