#include "tasks/status_summary.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "tasks/status_format.h"

namespace rawbackup {
namespace {

nlohmann::json counts_json(const StatusCounts& c) {
  return {{"records", c.records},   {"bytes", c.bytes},   {"bytes_local", c.bytes_local},
          {"bytes_s3", c.bytes_s3}, {"status", c.status}, {"backup_status", c.backup_status},
          {"purged", c.purged},     {"bytes_purged", c.bytes_purged}};
}

std::string counts_text(const std::map<std::string, uint64_t>& counts) {
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) parts.push_back(name + " " + std::to_string(n));
  return parts.empty() ? "-" : join(parts, ", ");
}

std::vector<std::string> row(const std::string& name, const StatusCounts& c) {
  return {name,
          std::to_string(c.records),
          format_bytes(c.bytes),
          format_bytes(c.bytes_local),
          format_bytes(c.bytes_s3),
          counts_text(c.status),
          counts_text(c.backup_status),
          c.purged ? std::to_string(c.purged) + " (" + format_bytes(c.bytes_purged) + " freed)" : "-"};
}

}  // namespace

nlohmann::json SummaryResult::to_json() const {
  nlohmann::json j = counts_json(summary.all);
  j["instruments"] = nlohmann::json::object();
  for (const auto& [id, counts] : summary.instruments) j["instruments"][id] = counts_json(counts);
  j["last_errors"] = nlohmann::json::array();
  for (const ErrorLine& e : summary.last_errors) {
    j["last_errors"].push_back(
        {{"id", e.id}, {"instrument", e.instrument_id}, {"updated_at", e.updated_at}, {"error", e.error}});
  }
  return {{"summary", j}};
}

std::string SummaryResult::to_text() const {
  std::vector<std::vector<std::string>> rows{{"INSTRUMENT", "RECORDS", "SIZE", "LOCAL", "S3", "STATUS", "BACKUP", "PURGED"}};
  for (const auto& [id, counts] : summary.instruments) rows.push_back(row(id, counts));
  rows.push_back(row("(all)", summary.all));
  std::string out = align_columns(rows);
  if (summary.last_errors.empty()) return out + "no errors recorded";
  std::vector<std::vector<std::string>> error_rows;
  for (const ErrorLine& e : summary.last_errors) {
    error_rows.push_back({"  " + e.updated_at.substr(0, 19) + "Z", e.instrument_id, e.id, e.error});
  }
  out += "last errors:\n" + align_columns(error_rows);
  if (out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace rawbackup
