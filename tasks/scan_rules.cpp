#include "tasks/scan_rules.h"

#include <algorithm>

#include "common/text.h"

namespace rawbackup {

std::string utc_of_ms(int64_t ms) { return format_utc_ns(ms * 1'000'000); }

namespace {

constexpr const char* corrupted_suffix = "_CORRUPTED.raw";

int64_t ms_of_ns(int64_t ns) { return ns / 1'000'000; }

std::string seconds_text(int64_t ms) { return format_duration(static_cast<double>(ms) / 1000.0); }

// The name Thermo's software gave the acquisition before it marked it failed; "" for others.
std::string corrupted_original(const ScanRules& clock, const std::string& name) {
  if (!clock.thermo || !ends_with_icase(name, corrupted_suffix)) return "";
  return name.substr(0, name.size() - std::string(corrupted_suffix).size()) + ".raw";
}

// Why the purged record of NAME is another acquisition than the set there now; "" when it is
// the same (a restore puts the recorded mtime back).
std::string collision_reason(const ScanRules& clock, const ListedSet& set) {
  const RecordedSet& row = *set.record;
  if (row.instrument_id != clock.instrument_id) {
    return "the name is recorded for instrument " + row.instrument_id + "; rename it on the instrument";
  }
  if (!set.stated) return "";
  auto created = parse_utc(row.created_at);
  int64_t created_ms = created ? std::chrono::duration_cast<std::chrono::milliseconds>(created->time_since_epoch()).count() : 0;
  std::string recorded = "a record of " + set.name + " (" + row.created_at + ", " + format_bytes(row.size) +
                         ", purged from the instrument) ";
  if (ms_of_ns(set.mtime_ns) > created_ms) {
    return recorded + "is older than this set (" + format_utc_ns(set.mtime_ns) +
           "): another acquisition of the same name; rename it on the instrument";
  }
  if (clock.thermo && set.size != row.size) {
    return recorded + "has another size than this set (" + format_bytes(set.size) +
           "): another acquisition of the same name; rename it on the instrument";
  }
  return "";
}

class Judge {
 public:
  Judge(const ScanRules& clock, const std::vector<Sighting>& before, const std::set<std::string>& recorded)
      : clock_(clock), recorded_(recorded) {
    for (const Sighting& s : before) prior_.emplace(s.name, &s);
  }

  ScanJudgement run(const std::vector<ListedSet>& listed) {
    out_.verdicts.reserve(listed.size() + prior_.size());
    for (const ListedSet& set : listed) listed_names_.insert(set.name);
    std::vector<std::pair<const ListedSet*, Sighting>> candidates;
    for (const ListedSet& set : listed) {
      if (auto sighting = classify(set)) candidates.emplace_back(&set, std::move(*sighting));
    }
    for (const auto& [set, sighting] : candidates) {
      out_.verdicts.push_back(settle_verdict(*set, sighting, candidates));
      out_.save.push_back(sighting);
    }
    for (const auto& [name, prior] : prior_) judge_missing(*prior);
    return std::move(out_);
  }

 private:
  // The verdicts that need no settling; otherwise the set's sighting as of now.
  std::optional<Sighting> classify(const ListedSet& set) {
    if (!set.invalid.empty()) return forget_with({set.name, ScanState::invalid_name, set.invalid});
    if (set.record) {
      std::string collision = collision_reason(clock_, set);
      if (collision.empty()) return forget_with({set.name, ScanState::recorded});
      return forget_with({set.name, ScanState::collision, collision, set.size, set.mtime_ns});
    }
    if (std::string original = corrupted_original(clock_, set.name); !original.empty()) {
      if (!listed_names_.contains(original)) consume(original);
      return forget_with({set.name, ScanState::renamed,
                          "a failed acquisition: Thermo renamed " + original + " to " + set.name + "; not backed up",
                          set.size, set.mtime_ns});
    }
    return sighting_of(set);
  }

  std::optional<Sighting> forget_with(ScanVerdict verdict) {
    consume(verdict.name);
    out_.verdicts.push_back(std::move(verdict));
    return std::nullopt;
  }

  void consume(const std::string& name) {
    if (prior_.erase(name) > 0) out_.forget.push_back(name);
  }

  Sighting sighting_of(const ListedSet& set) {
    const int64_t now = clock_.now_ms;
    Sighting s{"", set.name, set.size, set.mtime_ns, now, now, now, 0};
    if (auto it = prior_.find(set.name); it != prior_.end()) {
      const Sighting& p = *it->second;
      s.first_seen_ms = p.first_seen_ms;
      if (p.gone_ms == 0 && p.same_state(set.size, set.mtime_ns)) s.changed_ms = p.changed_ms;
      prior_.erase(it);
    } else if (const Sighting* moved = rename_source(set)) {
      s.first_seen_ms = moved->first_seen_ms;
      s.changed_ms = moved->changed_ms;
      out_.verdicts.push_back({moved->name, ScanState::renamed, "renamed to " + set.name + " (same size and mtime)",
                               moved->size, moved->mtime_ns, moved->first_seen_ms, 0, set.name});
      consume(moved->name);
    }
    // The mtime bounds the last change from below: an instrument clock ahead of this host's
    // (an mtime in the future counts as just changed) holds the set back, one behind cannot
    // make it look older than it was seen.
    s.changed_ms = std::max(s.changed_ms, std::min(ms_of_ns(set.mtime_ns), now));
    return s;
  }

  // An earlier sighting, not in this listing and not recorded, with the same size and mtime.
  const Sighting* rename_source(const ListedSet& set) const {
    if (set.size == 0) return nullptr;
    for (const auto& [name, prior] : prior_) {
      if (prior->gone_ms == 0 && prior->same_state(set.size, set.mtime_ns) && !listed_names_.contains(name) &&
          !recorded_.contains(name)) {
        return prior;
      }
    }
    return nullptr;
  }

  ScanVerdict settle_verdict(const ListedSet& set, const Sighting& s,
                             const std::vector<std::pair<const ListedSet*, Sighting>>& candidates) const {
    ScanVerdict v{set.name, ScanState::unsettled, "", s.size, s.mtime_ns, s.first_seen_ms, 0, ""};
    const int64_t now = clock_.now_ms;
    v.retry_at_ms = s.changed_ms + clock_.settle_ms + clock_.cache_ms;
    if (!set.incomplete.empty() || s.size == 0) {
      v.reason = !set.incomplete.empty() ? set.incomplete : "empty (0 bytes)";
      v.retry_at_ms = now + std::max<int64_t>(clock_.settle_ms, 1000);
      return v;
    }
    if (ms_of_ns(s.mtime_ns) > now) {
      v.reason = "its mtime " + format_utc_ns(s.mtime_ns) + " is ahead of this host's clock: counted as just changed";
      return v;
    }
    if (now - clock_.cache_ms - s.changed_ms >= clock_.settle_ms) {
      v.state = ScanState::ready;
      return v;
    }
    // The fast path: a newer set appeared after this one last changed (the instrument moved on),
    // and this one was seen unchanged since, later than the attribute cache could hide.
    for (const auto& [other, o] : candidates) {
      if (other != &set && s.changed_ms < now && o.first_seen_ms > s.changed_ms &&
          o.first_seen_ms <= now - clock_.cache_ms) {
        v.state = ScanState::ready;
        v.reason = other->name + " appeared after it last changed";
        return v;
      }
    }
    v.reason = s.changed_ms == s.first_seen_ms && s.changed_ms == now
                   ? "first seen now; ready once unchanged for " + seconds_text(clock_.settle_ms)
                   : "changed " + seconds_text(now - s.changed_ms) + " ago; ready once unchanged for " +
                         seconds_text(clock_.settle_ms);
    return v;
  }

  // A sighting whose set is not in this listing (nor renamed): vanished, reported a day, kept
  // 30 days (so a set that comes back is known), forgotten once recorded.
  void judge_missing(const Sighting& prior) {
    const int64_t now = clock_.now_ms;
    if (recorded_.contains(prior.name) || (prior.gone_ms != 0 && now - prior.gone_ms >= sightings_kept_ms)) {
      out_.forget.push_back(prior.name);
      return;
    }
    int64_t gone = prior.gone_ms != 0 ? prior.gone_ms : now;
    if (prior.gone_ms == 0) {
      Sighting marked = prior;
      marked.gone_ms = now;
      out_.save.push_back(marked);
    }
    if (now - gone < vanished_reported_ms) {
      out_.verdicts.push_back({prior.name, ScanState::vanished,
                               "seen " + utc_of_ms(prior.seen_ms) + ", gone since " + utc_of_ms(gone) +
                                   ", never recorded",
                               prior.size, prior.mtime_ns, prior.first_seen_ms, 0, ""});
    }
  }

  const ScanRules& clock_;
  const std::set<std::string>& recorded_;
  std::map<std::string, const Sighting*> prior_;  // not yet accounted for
  std::set<std::string> listed_names_;
  ScanJudgement out_;
};

}  // namespace

std::string to_string(ScanState state) {
  switch (state) {
    case ScanState::ready: return "ready";
    case ScanState::unsettled: return "unsettled";
    case ScanState::collision: return "collision";
    case ScanState::renamed: return "renamed";
    case ScanState::vanished: return "vanished";
    case ScanState::invalid_name: return "invalid-name";
    case ScanState::recorded: return "recorded";
  }
  return "unknown";
}

ScanJudgement judge_listing(const ScanRules& clock, const std::vector<ListedSet>& listed,
                            const std::vector<Sighting>& before, const std::set<std::string>& recorded) {
  return Judge(clock, before, recorded).run(listed);
}

}  // namespace rawbackup
