// SIGINT/SIGTERM: the handler only sets a flag; long loops poll it and stop cleanly.
#pragma once
#include <chrono>

namespace rawbackup {

void install_interrupt_handlers();
bool interrupted();
// For tests: raise or clear the flag as the signal handler would.
void set_interrupted(bool value);
// Sleeps `delay`, waking early when interrupted; false then.
bool sleep_unless_interrupted(std::chrono::milliseconds delay);

}  // namespace rawbackup
