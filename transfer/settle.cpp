#include "transfer/settle.h"

#include <algorithm>

namespace rawbackup {
namespace {

using std::chrono::duration;
using std::chrono::nanoseconds;

Clock::time_point time_of(int64_t mtime_ns) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(nanoseconds(mtime_ns)));
}

// "retry after 2026-11-22T10:15:03.000Z (in 1 min 48 s)"
std::string retry_after(Clock::time_point at, Clock::time_point now) {
  double wait = std::max(0.0, duration<double>(at - now).count());
  return "retry after " + format_utc(at) + " (in " + format_duration(wait) + ")";
}

}  // namespace

bool SettleRule::unsettled(int64_t mtime_ns) const { return settle.count() > 0 && time_of(mtime_ns) + settle > now; }

std::string modified_ago(int64_t mtime_ns, Clock::time_point now) {
  double age = duration<double>(now - time_of(mtime_ns)).count();
  if (age < 0) return "in the future (clock skew?)";
  return format_duration(age) + " ago";
}

Status check_settled(const RawFileSet& set, const SettleRule& rule) {
  auto youngest = std::max_element(set.files.begin(), set.files.end(),
                                   [](const SetMember& a, const SetMember& b) { return a.mtime_ns < b.mtime_ns; });
  if (youngest == set.files.end() || !rule.unsettled(youngest->mtime_ns)) return {};
  Clock::time_point ready = std::max(time_of(youngest->mtime_ns), rule.now) + rule.settle;
  return fail(ErrorKind::not_ready, "not ready: " + youngest->key + " was modified " +
                                        modified_ago(youngest->mtime_ns, rule.now) + ", within the settle time of " +
                                        std::to_string(rule.settle.count()) +
                                        " s (the acquisition may still be running); " + retry_after(ready, rule.now));
}

Status check_sighted(const InstrumentConfig& instrument, const std::string& name, const RawFileSet& set,
                     const Sighting& sighting, const SettleRule& rule) {
  if (rule.settle.count() == 0) return {};
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  for (const std::string& key : main_file_keys(instrument, name)) {
    auto found = std::lower_bound(set.files.begin(), set.files.end(), key,
                                  [](const SetMember& m, const std::string& k) { return m.key < k; });
    if (found == set.files.end() || found->key != key) continue;
    size += found->size;
    mtime_ns = std::max(mtime_ns, found->mtime_ns);
  }
  auto at = [](int64_t ms) { return Clock::time_point(std::chrono::milliseconds(ms)); };
  bool same = sighting.gone_ms == 0 && sighting.same_state(size, mtime_ns);
  Clock::time_point since = same ? at(sighting.changed_ms) : at(sighting.seen_ms);
  if (since + rule.settle <= rule.now) return {};
  std::string seen = same ? "scan saw it change " : "it changed since scan saw it ";
  return fail(ErrorKind::not_ready, "not ready: " + name + " is still being written (" + seen +
                                        format_duration(duration<double>(rule.now - since).count()) +
                                        " ago by this host's clock, within the settle time of " +
                                        std::to_string(rule.settle.count()) + " s); " +
                                        retry_after(since + rule.settle, rule.now));
}

Error changed_while_read(const std::string& key, const std::string& what, std::chrono::seconds settle) {
  auto now = Clock::now();
  return {ErrorKind::not_ready, "not ready: " + key + " changed while it was read (" + what +
                                    "; the acquisition may still be running); " +
                                    retry_after(now + std::max(settle, std::chrono::seconds(1)), now)};
}

std::string set_changes(const RawFileSet& before, const RawFileSet& after) {
  std::vector<std::string> changes;
  auto b = before.files.begin();
  auto a = after.files.begin();
  while ((b != before.files.end() || a != after.files.end()) && changes.size() < 3) {
    if (a == after.files.end() || (b != before.files.end() && b->key < a->key)) {
      changes.push_back((b++)->key + " disappeared");
    } else if (b == before.files.end() || a->key < b->key) {
      changes.push_back((a++)->key + " appeared");
    } else {
      if (a->size != b->size) {
        changes.push_back(a->key + " size " + std::to_string(b->size) + " → " + std::to_string(a->size));
      } else if (a->mtime_ns != b->mtime_ns) {
        changes.push_back(a->key + " modified");
      }
      ++a;
      ++b;
    }
  }
  return join(changes, ", ");
}

}  // namespace rawbackup
