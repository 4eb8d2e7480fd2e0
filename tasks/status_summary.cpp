#include "tasks/status_summary.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "tasks/status_format.h"

namespace rawbackup {
namespace {

// What one row of the summary adds up.
struct Counts {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t bytes_local = 0;  // copy-local finished
  uint64_t bytes_s3 = 0;     // upload-s3 finished
  std::map<std::string, int> status;
  std::map<std::string, int> backup_status;

  void add(const RawFile& r) {
    ++records;
    bytes += r.size;
    if (r.status == RawFileStatus::copying_done && r.backup_base_path) bytes_local += r.size;
    if (r.s3_upload_path) bytes_s3 += r.size;
    ++status[to_string(r.status)];
    ++backup_status[to_string(r.backup_status)];
  }

  nlohmann::json to_json() const {
    return {{"records", records},   {"bytes", bytes},   {"bytes_local", bytes_local},
            {"bytes_s3", bytes_s3}, {"status", status}, {"backup_status", backup_status}};
  }
};

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
  Counts all;
  std::map<std::string, Counts> per_instrument;
  for (const RawFile& r : records) {
    all.add(r);
    per_instrument[r.instrument_id].add(r);
  }
  nlohmann::json summary = all.to_json();
  summary["instruments"] = nlohmann::json::object();
  for (const auto& [id, counts] : per_instrument) summary["instruments"][id] = counts.to_json();
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
