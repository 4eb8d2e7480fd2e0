#include "common/interrupt.h"

#include <atomic>
#include <csignal>
#include <thread>

namespace rawbackup {
namespace {

std::atomic<bool> flag{false};

extern "C" void on_signal(int) { flag.store(true, std::memory_order_relaxed); }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Past a file size limit (ulimit -f), write() should fail with EFBIG, not kill us.
  signal(SIGXFSZ, SIG_IGN);
}

bool interrupted() { return flag.load(std::memory_order_relaxed); }
void set_interrupted(bool value) { flag.store(value, std::memory_order_relaxed); }

bool sleep_unless_interrupted(std::chrono::milliseconds delay) {
  auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (interrupted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !interrupted();
}

}  // namespace rawbackup
