// What `scan` saw of a raw-file set not recorded yet: the size and newest mtime of its main
// files, and when this host (by its own clock, not the instrument's) first saw the set, last
// saw it in another state, last looked and saw it gone. Settling is decided on these
// (tasks/scan_rules.h), never on the mtime alone: an acquisition PC's clock may be off.
#pragma once
#include <cstdint>
#include <string>

namespace rawbackup {

struct Sighting {
  std::string instrument_id;
  std::string name;         // the set's name in the instrument folder
  uint64_t size = 0;        // of its main files together
  int64_t mtime_ns = 0;     // the newest mtime of its main files
  int64_t first_seen_ms = 0;  // milliseconds since the epoch, this host's clock
  int64_t changed_ms = 0;     // when the size or mtime was first seen as they are now
  int64_t seen_ms = 0;        // the last look that found the set
  int64_t gone_ms = 0;        // the first look that did not find it; 0 while it is there

  bool same_state(uint64_t other_size, int64_t other_mtime_ns) const {
    return size == other_size && mtime_ns == other_mtime_ns;
  }
};

// How a store merges a sighting saved over one it holds (two hosts scanning at once keep one
// row): first_seen keeps the earliest; the same size and mtime keep the earliest changed and
// the latest seen (a sighting never moves backwards); another state takes changed, size and
// mtime from the newer sighting; gone is the saved one's.
//
// The columns of a sighting row, in the order of the fields above.
inline constexpr const char* sighting_columns =
    "instrument_id, name, size, mtime_ns, first_seen_ms, changed_ms, seen_ms, gone_ms";

}  // namespace rawbackup
