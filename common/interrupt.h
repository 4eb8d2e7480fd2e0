// SIGINT/SIGTERM: the handler only sets a flag; long loops poll it and stop cleanly.
#pragma once

namespace rawbackup {

void install_interrupt_handlers();
bool interrupted();
// For tests: raise or clear the flag as the signal handler would.
void set_interrupted(bool value);

}  // namespace rawbackup
