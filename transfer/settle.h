// The settle rule: a raw-file set is read only once none of its files changed within the
// settle time (checksum.settle_seconds), because instruments write for minutes to hours and
// post-run hooks and DAG triggers fire early. A file still changing is "not ready" (exit 1,
// retry later), never a conflict that --overwrite would "solve".
#pragma once
#include <chrono>
#include <string>

#include "common/result.h"
#include "common/text.h"
#include "model/layout.h"
#include "model/sighting.h"

namespace rawbackup {

struct SettleRule {
  std::chrono::seconds settle{0};  // 0: the rule is off
  Clock::time_point now = Clock::now();

  // True when a file last modified at `mtime_ns` changed within the settle time (or has an
  // mtime in the future: another host's clock, still to be trusted as "recent").
  bool unsettled(int64_t mtime_ns) const;
};

// Kind not_ready when a member of `set` is unsettled: one line naming the youngest file,
// how long ago it changed, and when to retry.
Status check_settled(const RawFileSet& set, const SettleRule& rule);

// The settle rule by what `scan` saw of set NAME (by this host's clock, so an instrument PC's
// clock cannot make a growing file look old): not_ready while the main files are as scan last
// saw them and that state is younger than the settle time, or when they differ from a
// sighting made within the settle time (they changed since). Ok otherwise: the mtime rule
// (check_settled) still applies.
Status check_sighted(const InstrumentConfig& instrument, const std::string& name, const RawFileSet& set,
                     const Sighting& sighting, const SettleRule& rule);

// Kind not_ready for a file (or set) that changed while it was read (`what` says how):
// retry once it has not changed for the settle time.
Error changed_while_read(const std::string& key, const std::string& what, std::chrono::seconds settle);

// How `after` differs from `before` (files added, removed, resized or touched), "" when not
// at all: a set re-listed after hashing must be the one that was hashed.
std::string set_changes(const RawFileSet& before, const RawFileSet& after);

// "12 s ago", "3 min 05 s ago", "in the future (clock skew?)".
std::string modified_ago(int64_t mtime_ns, Clock::time_point now);

}  // namespace rawbackup
