// `status --metrics`: the store's state as Prometheus text for node_exporter's textfile
// collector, so Grafana can show backups per instrument and Prometheus alert on a backup
// that is overdue, a verify that stopped, or failures piling up.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/text.h"
#include "config/config.h"
#include "model/record_store.h"

namespace rawbackup {

// Every configured instrument gets its series (zero when it has no records), so an alert on
// one instrument never sees a missing series where "nothing yet" is meant. An instrument with
// no verified record has no last-verify series (alert with absent() or on the timestamp).
std::string store_metrics(const StoreSummary& summary, const std::map<std::string, uint64_t>& failures_24h,
                          const std::vector<std::string>& instruments, Clock::time_point now);

// store_metrics of the store's summary and its failed runs in the 24 h before `now`, with a
// series for every instrument in `config` (`status --metrics` and serve's /metrics).
Result<std::string> metrics_of_store(RecordStore& store, const Config& config, Clock::time_point now);

}  // namespace rawbackup
