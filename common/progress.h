// Progress of long work (bytes, rate, ETA): a redrawn bar on a TTY, otherwise a
// log line at most every `interval`. Thread-safe; advance() is cheap enough per MiB.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace rawbackup {

class Progress {
 public:
  // `label` names the work ("hashing"), `total_bytes` may be 0 when unknown.
  Progress(std::string label, uint64_t total_bytes, bool tty,
           std::chrono::milliseconds interval = std::chrono::seconds(5));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(uint64_t bytes);
  uint64_t done_bytes() const { return done_.load(std::memory_order_relaxed); }
  // Clears the bar (TTY); logs nothing.
  void finish();

 private:
  void report(std::chrono::steady_clock::time_point now);

  std::string label_;
  uint64_t total_;
  bool tty_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> done_{0};
  std::atomic<int64_t> next_report_ns_;
  std::mutex report_mutex_;
  bool drawn_ = false;
};

}  // namespace rawbackup
