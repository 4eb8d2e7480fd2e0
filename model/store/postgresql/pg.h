// Thin RAII over libpq: a connection and the rows of a statement. The only place that
// includes <libpq-fe.h>. Statements go out with PQexecParams: the extended protocol with
// every value a bound parameter (an unnamed prepared statement), so no value is ever part of
// the SQL text, and no session state is needed (works through PgBouncer's transaction pooling).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace rawbackup::pg {

struct ConnCloser {
  void operator()(pg_conn* conn) const;
};
struct ResultClear {
  void operator()(pg_result* res) const;
};

// Parameters $1, $2, … as text; nullopt is NULL.
using Params = std::vector<std::optional<std::string>>;

class Rows {
 public:
  explicit Rows(pg_result* res) : res_(res) {}
  int count() const;
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  int64_t integer(int row, int column) const;
  // Rows an INSERT/UPDATE/DELETE changed.
  int64_t affected() const;

 private:
  friend class Connection;
  std::unique_ptr<pg_result, ResultClear> res_;
};

// Errors come back one line, without the password the URL may carry. `transient` is set for
// what a retry may cure: a lost connection, a server restarting, a serialization failure
// (40001) or deadlock (40P01). A unique violation (23505) is kind conflict; authentication,
// a missing database, a read-only server: kind usage.
class Connection {
 public:
  // `location` (the URL without its password) names the store in messages.
  static Result<Connection> open(const std::string& url, const std::string& location);

  Result<Rows> exec(const std::string& sql, const Params& params = {});
  // Several statements of fixed SQL without parameters (a migration step).
  Status exec_script(const std::string& sql);
  // False once the connection broke (the server went away); reconnect() then.
  bool healthy() const;
  Status reconnect();

 private:
  Connection(std::unique_ptr<pg_conn, ConnCloser> conn, std::string location)
      : conn_(std::move(conn)), location_(std::move(location)) {}
  Status exec_status(const Rows& rows) const;
  std::unique_ptr<pg_conn, ConnCloser> conn_;
  std::string location_;
};

// One connection shared by a store and its record locks' heartbeats (two threads): each user
// holds `mutex` for a whole statement or transaction. One connection per task, not one per
// lock: a connection costs a TCP and SCRAM handshake (about 7 ms on loopback, more across a
// network), most of a short task's store time.
struct SharedConnection {
  explicit SharedConnection(Connection connection) : db(std::move(connection)) {}
  std::mutex mutex;
  Connection db;
};

}  // namespace rawbackup::pg
