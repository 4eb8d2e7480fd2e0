#include "common/work_units.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "common/interrupt.h"

namespace rawbackup {

Status WorkUnits::run(size_t count, unsigned workers, const std::function<Status(size_t)>& unit) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(workers, count));
  {
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back([&] { work(count, unit); });
    work(count, unit);
  }
  std::lock_guard lock(error_mutex_);
  if (error_) return std::unexpected(*error_);
  return {};
}

void WorkUnits::work(size_t count, const std::function<Status(size_t)>& unit) {
  for (size_t i = next_++; i < count && !stop_; i = next_++) {
    if (interrupted()) return record(Error{ErrorKind::interrupted, "interrupted"});
    Status done;
    try {
      done = unit(i);
    } catch (const std::exception& e) {
      done = fail(std::string("unexpected error: ") + e.what());
    } catch (...) {
      done = fail("unexpected error");
    }
    if (!done) return record(std::move(done).error());
  }
}

void WorkUnits::record(Error error) {
  std::lock_guard lock(error_mutex_);
  if (!error_) error_ = std::move(error);
  stop_ = true;
}

}  // namespace rawbackup
