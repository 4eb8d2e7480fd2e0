#include "tasks/status_summary.h"

#include <algorithm>

#include "common/text.h"
#include "tasks/status_format.h"

namespace rawbackup {
namespace {

nlohmann::json empty_counts() {
  return {{"records", 0}, {"bytes", 0}, {"bytes_local", 0}, {"bytes_s3", 0},
          {"status", nlohmann::json::object()}, {"backup_status", nlohmann::json::object()}};
}

void count(nlohmann::json& into, const RawFile& r) {
  into["records"] = into["records"].get<uint64_t>() + 1;
  into["bytes"] = into["bytes"].get<uint64_t>() + r.size;
  if (r.status == RawFileStatus::copying_done && r.backup_base_path) {
    into["bytes_local"] = into["bytes_local"].get<uint64_t>() + r.size;
  }
  if (r.s3_upload_path) into["bytes_s3"] = into["bytes_s3"].get<uint64_t>() + r.size;
  into["status"][to_string(r.status)] = into["status"].value(to_string(r.status), 0) + 1;
  into["backup_status"][to_string(r.backup_status)] =
      into["backup_status"].value(to_string(r.backup_status), 0) + 1;
}

nlohmann::json last_errors(const std::vector<RawFile>& records, size_t max_errors) {
  std::vector<const RawFile*> failed;
  for (const RawFile& r : records) {
    if (r.error) failed.push_back(&r);
  }
  std::sort(failed.begin(), failed.end(),
            [](const RawFile* a, const RawFile* b) { return a->updated_at > b->updated_at; });
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < failed.size() && i < max_errors; ++i) {
    out.push_back({{"id", failed[i]->id}, {"instrument", failed[i]->instrument_id},
                   {"updated_at", failed[i]->updated_at}, {"error", *failed[i]->error}});
  }
  return out;
}

std::string counts_text(const nlohmann::json& counts) {
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts.items()) parts.push_back(name + " " + std::to_string(n.get<int>()));
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

nlohmann::json summarize(const std::vector<RawFile>& records, size_t max_errors) {
  nlohmann::json summary = empty_counts();
  summary["instruments"] = nlohmann::json::object();
  for (const RawFile& r : records) {
    if (!summary["instruments"].contains(r.instrument_id)) summary["instruments"][r.instrument_id] = empty_counts();
    count(summary["instruments"][r.instrument_id], r);
    count(summary, r);
  }
  summary["last_errors"] = last_errors(records, max_errors);
  return summary;
}

std::string format_summary(const nlohmann::json& summary) {
  std::vector<std::vector<std::string>> rows{
      {"INSTRUMENT", "RECORDS", "SIZE", "LOCAL", "S3", "STATUS", "BACKUP"}};
  for (const auto& [id, counts] : summary["instruments"].items()) rows.push_back(row(id, counts));
  rows.push_back(row("(all)", summary));
  std::string out = align_columns(rows);
  const nlohmann::json& errors = summary["last_errors"];
  out += errors.empty() ? "no errors recorded\n" : "last errors:\n";
  std::vector<std::vector<std::string>> error_rows;
  for (const nlohmann::json& e : errors) {
    error_rows.push_back({"  " + e["updated_at"].get<std::string>().substr(0, 19),
                          e["instrument"].get<std::string>(), e["id"].get<std::string>(),
                          e["error"].get<std::string>()});
  }
  return error_rows.empty() ? out : out + align_columns(error_rows);
}

}  // namespace rawbackup
