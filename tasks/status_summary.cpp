#include "tasks/status_summary.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "tasks/status_format.h"

namespace rawbackup {
namespace {

nlohmann::json counts_json(const StatusCounts& c) {
  return {{"records", c.records},   {"bytes", c.bytes},   {"bytes_local", c.bytes_local},
          {"bytes_s3", c.bytes_s3}, {"status", c.status}, {"backup_status", c.backup_status}};
}

std::string counts_text(const nlohmann::json& counts) {
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts.items()) parts.push_back(name + " " + std::to_string(n.get<uint64_t>()));
  return parts.empty() ? "-" : join(parts, ", ");
}

std::vector<std::string> row(const std::string& name, const nlohmann::json& c) {
  return {name,
          std::to_string(c["records"].get<uint64_t>()),
          format_bytes(c["bytes"].get<uint64_t>()),
          format_bytes(c["bytes_local"].get<uint64_t>()),
          format_bytes(c["bytes_s3"].get<uint64_t>()),
          counts_text(c["status"]),
          counts_text(c["backup_status"])};
}

}  // namespace

nlohmann::json summary_json(const StoreSummary& summary) {
  nlohmann::json j = counts_json(summary.all);
  j["instruments"] = nlohmann::json::object();
  for (const auto& [id, counts] : summary.instruments) j["instruments"][id] = counts_json(counts);
  j["last_errors"] = nlohmann::json::array();
  for (const ErrorLine& e : summary.last_errors) {
    j["last_errors"].push_back(
        {{"id", e.id}, {"instrument", e.instrument_id}, {"updated_at", e.updated_at}, {"error", e.error}});
  }
  return j;
}

std::string format_summary(const nlohmann::json& summary) {
  std::vector<std::vector<std::string>> rows{{"INSTRUMENT", "RECORDS", "SIZE", "LOCAL", "S3", "STATUS", "BACKUP"}};
  for (const auto& [id, counts] : summary["instruments"].items()) rows.push_back(row(id, counts));
  rows.push_back(row("(all)", summary));
  std::string out = align_columns(rows);
  const nlohmann::json& errors = summary["last_errors"];
  out += errors.empty() ? "no errors recorded\n" : "last errors:\n";
  std::vector<std::vector<std::string>> error_rows;
  for (const nlohmann::json& e : errors) {
    error_rows.push_back({"  " + e["updated_at"].get<std::string>().substr(0, 19) + "Z",
                          e["instrument"].get<std::string>(), e["id"].get<std::string>(),
                          e["error"].get<std::string>()});
  }
  return error_rows.empty() ? out : out + align_columns(error_rows);
}

}  // namespace rawbackup
