// Thin RAII over the SQLite C API: a connection, prepared statements, transactions. The only
// place that includes <sqlite3.h>.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/result.h"

namespace rawbackup::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// A prepared statement. Bind with 1-based indexes; step() until it returns false.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);  // throws std::runtime_error on bad SQL

  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_blob(int index, const std::string& bytes);
  // True while a row is available; an error (busy, I/O) comes back as Error.
  Result<bool> step();
  // For statements that return no rows.
  Status run();
  // Makes the statement ready to be bound and run again.
  void reset() { sqlite3_reset(stmt_.get()); }
  // Rows changed by the last run().
  int64_t changes() const { return sqlite3_changes(db_); }

  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  int64_t integer(int column) const;
  std::span<const std::byte> blob(int column) const;

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class Database {
 public:
  // Opens an existing or new store (read-write) with WAL, synchronous=FULL, a busy timeout
  // and a persistent WAL (its -wal and -shm files stay, so that users with read access
  // only can open it read-only). Read-only: never creates, never writes.
  static Result<Database> open(const std::string& path, int busy_timeout_ms, bool read_only = false);

  sqlite3* get() const { return db_.get(); }
  Status exec(const std::string& sql);
  Statement prepare(const std::string& sql) const { return Statement(db_.get(), sql); }
  std::string path() const { return path_; }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
  std::string path_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so a busy store fails
// at the start, not half way); ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// Maps an SQLite result code to an Error with a one-line message.
Error error_from(sqlite3* db, int rc, const std::string& what);

}  // namespace rawbackup::sqlite
