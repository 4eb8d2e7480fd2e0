// Thin RAII over the SQLite C API: a connection, prepared statements, transactions.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
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
  // True while a row is available; an error (busy, I/O) comes back as Error.
  Result<bool> step();
  // For statements that return no rows.
  Status run();

  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  int64_t integer(int column) const;

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class Database {
 public:
  // Opens (creating if needed) with WAL, foreign keys and a busy timeout.
  static Result<Database> open(const std::string& path, int busy_timeout_ms);

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
