// Reading a mapped file that another process truncates raises SIGBUS. Registered mappings
// are guarded: the handler puts a zero page over the faulting page, so the reader goes on and
// sees zeros, and the caller's size/mtime re-check afterwards reports "changed while read".
// Faults outside registered mappings keep their default action.
#pragma once
#include <cstddef>

namespace rawbackup {

// Returns a slot handle (or -1 when all slots are in use: the mapping is then unguarded).
int guard_mapping(const void* begin, size_t length);
void unguard_mapping(int handle);

}  // namespace rawbackup
