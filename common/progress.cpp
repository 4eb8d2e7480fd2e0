#include "common/progress.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "common/text.h"

namespace rawbackup {
namespace {

int64_t ns_of(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Progress::Progress(std::string label, uint64_t total_bytes, bool tty, std::chrono::milliseconds interval)
    : label_(std::move(label)),
      total_(total_bytes),
      tty_(tty),
      interval_(tty ? std::chrono::milliseconds(200) : interval),
      start_(std::chrono::steady_clock::now()),
      next_report_ns_(ns_of(start_ + interval_)) {}

Progress::~Progress() { finish(); }

void Progress::advance(uint64_t bytes) {
  done_.fetch_add(bytes, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  int64_t due = next_report_ns_.load(std::memory_order_relaxed);
  if (ns_of(now) < due) return;
  if (!next_report_ns_.compare_exchange_strong(due, ns_of(now + interval_))) return;
  report(now);
}

void Progress::report(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(report_mutex_);
  double elapsed = std::chrono::duration<double>(now - start_).count();
  uint64_t done = done_bytes();
  double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 0;
  double eta = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
  std::string figures = format_bytes(done) + " / " + format_bytes(total_) + ", " +
                        format_bytes(static_cast<uint64_t>(rate)) + "/s, ETA " + format_duration(eta);
  if (!tty_) {
    spdlog::info("{}: {:.0f}% ({})", label_, fraction * 100, figures);
    return;
  }
  constexpr int width = 30;
  int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %s", label_.c_str(), bar.c_str(), fraction * 100, figures.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  std::lock_guard lock(report_mutex_);
  if (tty_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace rawbackup
