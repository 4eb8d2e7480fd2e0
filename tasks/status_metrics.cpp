#include "tasks/status_metrics.h"

#include <set>

#include "common/metrics_text.h"

namespace rawbackup {
namespace {

// Seconds from the stored UTC time `at` to `now` (0 for "" or a time in the future).
double age_seconds(const std::string& at, Clock::time_point now) {
  auto t = parse_utc(at);
  if (!t || *t > now) return 0;
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now - *t).count());
}

}  // namespace

std::string store_metrics(const StoreSummary& summary, const std::map<std::string, uint64_t>& failures_24h,
                          const std::vector<std::string>& instruments, Clock::time_point now) {
  std::set<std::string> all(instruments.begin(), instruments.end());
  for (const auto& [name, counts] : summary.instruments) all.insert(name);
  auto counts_of = [&](const std::string& name) {
    auto it = summary.instruments.find(name);
    return it == summary.instruments.end() ? StatusCounts{} : it->second;
  };
  MetricsText m;
  m.family("records", "Raw-file records by instrument, status and backup_status.");
  for (const SummaryGroup& g : summary.groups) {
    m.sample({{"instrument", g.instrument_id}, {"status", g.status}, {"backup_status", g.backup_status}},
             static_cast<double>(g.records));
  }
  m.family("backed_up_bytes", "Bytes of raw files backed up, by instrument and target (local copy, S3).");
  for (const std::string& name : all) {
    StatusCounts c = counts_of(name);
    m.sample({{"instrument", name}, {"target", "local"}}, static_cast<double>(c.bytes_local));
    m.sample({{"instrument", name}, {"target", "s3"}}, static_cast<double>(c.bytes_s3));
  }
  m.family("oldest_unbacked_age_seconds",
           "Age of the oldest raw file not yet backed up (since its acquisition); 0 when every one is.");
  for (const std::string& name : all)
    m.sample({{"instrument", name}}, age_seconds(counts_of(name).oldest_unbacked_at, now));
  m.family("last_verify_age_seconds",
           "Seconds since verify last found an instrument's backups good (its newest verify).");
  for (const std::string& name : all) {
    std::string at = counts_of(name).last_verified_at;
    if (!at.empty()) m.sample({{"instrument", name}}, age_seconds(at, now));
  }
  m.family("failures_24h", "Failed runs in the last 24 hours: status set to error, backup_status to failed or attention.");
  for (const std::string& name : all) {
    auto it = failures_24h.find(name);
    m.sample({{"instrument", name}}, it == failures_24h.end() ? 0.0 : static_cast<double>(it->second));
  }
  m.family("metrics_timestamp_seconds", "When these metrics were computed (Unix time): alert when they go stale.");
  m.sample({}, static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  return m.text();
}

Result<std::string> metrics_of_store(RecordStore& store, const Config& config, Clock::time_point now) {
  TRY_ASSIGN(summary, store.summarize({}, 0));
  TRY_ASSIGN(failures, store.count_failures(format_utc(now - std::chrono::hours(24))));
  std::vector<std::string> instruments;
  for (const auto& [name, instrument] : config.instruments) instruments.push_back(name);
  return store_metrics(summary, failures, instruments, now);
}

}  // namespace rawbackup
