// Expected failures as values. Only usage and config errors are thrown (UsageError);
// main() maps both to exit codes in one place (exit_code_for).
#pragma once
#include <expected>
#include <stdexcept>
#include <string>
#include <utility>

namespace rawbackup {

// Why a task did not succeed. Each kind has exactly one exit code (see exit_code_for).
enum class ErrorKind {
  failed,       // the task failed and a re-run may succeed (I/O, network, busy store)
  usage,        // bad arguments, config or input: a re-run without a fix fails again
  conflict,     // the record or a destination disagrees with what is on disk
  mismatch,     // verification found missing or differing data
  interrupted,  // SIGINT/SIGTERM
  not_ready,    // a file of the set is still being written (settle time): retry later
};

struct Error {
  ErrorKind kind = ErrorKind::failed;
  std::string message;     // one line, no credentials
  bool transient = false;  // a network or server problem that outlasted the retries
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected(Error{kind, std::move(message)});
}
inline std::unexpected<Error> fail(std::string message) { return fail(ErrorKind::failed, std::move(message)); }
// Re-wraps an error with a prefix that says where it happened.
inline std::unexpected<Error> fail(const Error& cause, const std::string& prefix) {
  return fail(cause.kind, prefix + ": " + cause.message);
}

// TRY(expr): `expr` is a Result or Status; on error, returns that error from the enclosing
// function (which returns a Result or Status). TRY_ASSIGN(name, expr): the same, then declares
// `name` holding the value. (The shape of ccache's expected.hpp.)
#define TRY(expr)                                                             \
  do {                                                                        \
    auto&& try_result_ = (expr);                                              \
    if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
  } while (false)
#define TRY_ASSIGN(name, expr)                                                        \
  auto name##_or_error_ = (expr);                                                     \
  if (!name##_or_error_) return std::unexpected(std::move(name##_or_error_).error()); \
  auto name = std::move(*name##_or_error_)

// `text` with control characters escaped ("\n", "\x01"), so a message quoting input (a
// YAML error, a server's reply, a file name) stays one line. UTF-8 passes unchanged.
std::string one_line(const std::string& text);

// Thrown for usage and configuration errors only; exit code 2. The message is made one line.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(one_line(message)) {}
};

namespace exit_codes {
inline constexpr int ok = 0;
inline constexpr int failed = 1;
inline constexpr int usage = 2;
inline constexpr int conflict = 3;
inline constexpr int mismatch = 4;
inline constexpr int interrupted = 130;
}  // namespace exit_codes

int exit_code_for(ErrorKind kind);
const char* to_string(ErrorKind kind);

}  // namespace rawbackup
