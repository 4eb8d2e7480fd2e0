#include "model/store/postgresql/pg.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string_view>

namespace rawbackup::pg {
namespace {

// The first line of a libpq message, trimmed ("FATAL:  …\nDETAIL: …" → "FATAL:  …").
std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return one_line(s);
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Classifies a failed statement by its SQLSTATE.
Error statement_error(pg_conn* conn, pg_result* res, const std::string& location) {
  const char* code = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = code != nullptr ? code : "";
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary != nullptr ? one_line(primary) : first_line(PQerrorMessage(conn));
  if (PQstatus(conn) == CONNECTION_BAD || starts_with(state, "08") || starts_with(state, "57P")) {
    return {ErrorKind::failed, "record store " + location + " is unreachable: " + message, true};
  }
  if (state == "40001" || state == "40P01") {
    return {ErrorKind::failed, "record store " + location + " is busy (" + message + ")", true};
  }
  if (state == "23505") return {ErrorKind::conflict, "record store: " + message};
  if (starts_with(state, "28") || state == "3D000" || state == "25006" || state == "42501") {
    return {ErrorKind::usage, "record store " + location + ": " + message};
  }
  return {ErrorKind::failed, "record store " + location + ": " + message};
}

// The server's notices (a WARNING on shutdown, a NOTICE from a migration) go through the
// logger like every other diagnostic, never as bare text on stderr.
void log_notice(void* /*unused*/, const char* message) {
  std::string text = first_line(message);
  if (!text.empty()) spdlog::warn("record store: {}", text);
}

// Why a connection was refused in a way that needs a person, with the way out; "" when the
// server may just not be up yet (retried).
std::string refusal(const std::string& why) {
  if (why.find("no password supplied") != std::string::npos) {
    return why + " (give the password in PGPASSWORD or a ~/.pgpass line for this host, port, database and user)";
  }
  for (const char* needs_a_person : {"authentication", "password", "does not exist", "invalid", "certificate"}) {
    if (why.find(needs_a_person) != std::string::npos) return why;
  }
  return "";
}

}  // namespace

void ConnCloser::operator()(pg_conn* conn) const { PQfinish(conn); }
void ResultClear::operator()(pg_result* res) const { PQclear(res); }

int Rows::count() const { return PQntuples(res_.get()); }

std::string Rows::text(int row, int column) const { return PQgetvalue(res_.get(), row, column); }

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (PQgetisnull(res_.get(), row, column)) return std::nullopt;
  return text(row, column);
}

int64_t Rows::integer(int row, int column) const {
  return std::strtoll(PQgetvalue(res_.get(), row, column), nullptr, 10);
}

int64_t Rows::affected() const { return std::strtoll(PQcmdTuples(res_.get()), nullptr, 10); }

Result<Connection> Connection::open(const std::string& url, const std::string& location) {
  // Defaults the URL may override (it is expanded after them): a bounded connect and a name
  // in pg_stat_activity.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "rawbackup", url.c_str(), nullptr};
  std::unique_ptr<pg_conn, ConnCloser> conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return fail("record store " + location + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string why = first_line(PQerrorMessage(conn.get()));
    // Authentication and unknown databases need a person (a config problem, exit 2); a server
    // not (yet) up may come back.
    if (std::string refused = refusal(why); !refused.empty()) {
      return std::unexpected(Error{ErrorKind::usage, "record store " + location + " refused the connection: " + refused});
    }
    return std::unexpected(Error{ErrorKind::failed, "record store " + location + " is unreachable: " + why, true});
  }
  PQsetNoticeProcessor(conn.get(), &log_notice, nullptr);
  return Connection(std::move(conn), location);
}

Result<Rows> Connection::exec(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Rows rows(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                         nullptr, 0));
  TRY(exec_status(rows));
  return rows;
}

Status Connection::exec_status(const Rows& rows) const {
  pg_result* raw = rows.res_.get();
  ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
  return std::unexpected(statement_error(conn_.get(), raw, location_));
}

Status Connection::exec_script(const std::string& sql) {
  Rows rows(PQexec(conn_.get(), sql.c_str()));
  return exec_status(rows);
}

bool Connection::healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

Status Connection::reconnect() {
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) == CONNECTION_OK) return {};
  return std::unexpected(
      Error{ErrorKind::failed,
            "record store " + location_ + " is unreachable: " + first_line(PQerrorMessage(conn_.get())), true});
}

}  // namespace rawbackup::pg
