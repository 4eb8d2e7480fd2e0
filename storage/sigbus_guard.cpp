#include "storage/sigbus_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

namespace rawbackup {
namespace {

struct Range {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
};

std::array<Range, 256> ranges;
std::mutex slots_mutex;  // taken only to register/unregister, never in the handler

bool guarded(uintptr_t address) {
  for (const Range& r : ranges) {
    uintptr_t begin = r.begin.load(std::memory_order_acquire);
    if (begin != 0 && address >= begin && address < r.end.load(std::memory_order_acquire)) {
      return true;
    }
  }
  return false;
}

extern "C" void on_sigbus(int signal, siginfo_t* info, void*) {
  auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  if (guarded(address)) {
    uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    void* start = reinterpret_cast<void*>(address / page * page);
    if (::mmap(start, page, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
      return;  // the faulting read is retried and sees zeros
    }
  }
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void install_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, nullptr);
  });
}

}  // namespace

int guard_mapping(const void* begin, size_t length) {
  install_once();
  std::lock_guard lock(slots_mutex);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].begin.load() == 0) {
      ranges[i].end.store(reinterpret_cast<uintptr_t>(begin) + length);
      ranges[i].begin.store(reinterpret_cast<uintptr_t>(begin), std::memory_order_release);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void unguard_mapping(int handle) {
  if (handle < 0) return;
  std::lock_guard lock(slots_mutex);
  ranges[static_cast<size_t>(handle)].begin.store(0, std::memory_order_release);
}

}  // namespace rawbackup
