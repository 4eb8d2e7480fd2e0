// An environment variable set (or unset) for one scope and put back as it was after it, so
// that no test leaks its environment into the next (TZ, RAWBACKUP_*).
#pragma once
#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

namespace rawbackup {

class ScopedEnv {
 public:
  // `value` nullopt: unset for the scope.
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = ::getenv(name_.c_str())) old_ = old;
    apply(value);
  }
  ~ScopedEnv() { apply(old_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void apply(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
    if (name_ == "TZ") ::tzset();
  }

  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace rawbackup
