// What `scan` decides about each raw-file set of one instrument folder, pure: from this
// listing (what was stat'ed, what is recorded) and the sightings of earlier scans, the
// verdicts and the sightings to keep. No clock and no I/O here: `now` is given.
//
// Settled is decided by observation with this host's clock, never by the instrument PC's
// mtime: a set is ready once it looked the same (size and mtime of its main files) across
// sightings for `settle_ms` — sightings closer than the mount's attribute cache do not count —
// or, the fast path (alphakraken's), once a newer set appeared after its last change and it
// has not changed since. Size 0, a missing main file and an mtime in the future never settle.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/sighting.h"

namespace rawbackup {

// Sightings count in milliseconds since the epoch (model/sighting.h); as UTC text.
std::string utc_of_ms(int64_t ms);

enum class ScanState { ready, unsettled, collision, renamed, vanished, invalid_name, recorded };
std::string to_string(ScanState state);  // "ready", …, "invalid-name"

// One set of the listing as the task saw it.
// What the rules need of the record of a listed name (a few fields, not the whole row: a
// folder of 10,000 recorded sets holds 10,000 of these).
struct RecordedSet {
  std::string instrument_id;
  std::string created_at;  // ISO-8601 UTC: the set's newest mtime when it was recorded
  uint64_t size = 0;
  bool purged = false;  // purge deleted the instrument copy
};

struct ListedSet {
  std::string name;
  std::string invalid{};                   // why the name breaks the vendor's rules; "" if it does not
  std::optional<RecordedSet> record{};     // the record of that name
  bool stated = false;                     // its main files were stat'ed (unrecorded, or purged)
  uint64_t size = 0;                       // of the main files
  int64_t mtime_ns = 0;                    // the newest of the main files
  std::string incomplete{};                // a main file missing: why it cannot settle
};

struct ScanRules {
  std::string instrument_id;  // a record of another instrument with the name is a collision
  int64_t now_ms = 0;
  int64_t settle_ms = 0;  // checksum.settle_seconds
  int64_t cache_ms = 0;   // the mount's attribute cache (0 off SMB/NFS)
  bool thermo = false;    // `_CORRUPTED.raw` marks a failed acquisition; size tells acquisitions apart
};

struct ScanVerdict {
  std::string name;
  ScanState state = ScanState::unsettled;
  std::string reason{};       // why (unsettled, collision, renamed, vanished, invalid-name)
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t first_seen_ms = 0;  // by this host's clock; 0 when not a sighting
  int64_t retry_at_ms = 0;    // unsettled: when a scan could find it settled
  std::string renamed_to{};   // renamed: the name it has now
};

struct ScanJudgement {
  std::vector<ScanVerdict> verdicts;  // in no particular order
  std::vector<Sighting> save;         // upserted (model/sighting.h merges them)
  std::vector<std::string> forget;    // sightings to delete (recorded, renamed, gone for 30 days)
};

inline constexpr int64_t vanished_reported_ms = 24LL * 3600 * 1000;    // a vanished set is listed a day
inline constexpr int64_t sightings_kept_ms = 30LL * 24 * 3600 * 1000;  // then forgotten after 30 days

// `recorded`: the names among the listing and `before` that have a record (a sighting of a set
// recorded since, or recorded and then removed, is forgotten).
ScanJudgement judge_listing(const ScanRules& clock, const std::vector<ListedSet>& listed,
                            const std::vector<Sighting>& before, const std::set<std::string>& recorded);

}  // namespace rawbackup
