#include "model/placement.h"

#include <regex>

#include "storage/s3/naming.h"

namespace rawbackup {

std::string project_id_for(const Config& config, const std::string& name, const std::string& explicit_project) {
  if (!explicit_project.empty()) return explicit_project;
  std::smatch match;
  if (config.project_regex && std::regex_search(name, match, *config.project_regex) && match.size() > 1 &&
      match[1].matched && match[1].length() > 0) {
    return match[1].str();
  }
  return fallback_project;
}

std::string acquisition_month(const RawFile& record) {
  return record.created_at.substr(0, 4) + "_" + record.created_at.substr(5, 2);
}

std::string backup_folder(const RawFile& record) {
  if (record.backup_base_path) return *record.backup_base_path;
  return record.instrument_id + "/" + acquisition_month(record);
}

std::filesystem::path backup_base(const Config& config, const RawFile& record) {
  std::filesystem::path folder(backup_folder(record));
  return folder.is_absolute() ? folder : config.backup_path / folder;
}

bool has_local_backup(const RawFile& record) {
  return record.status == RawFileStatus::copying_done && record.backup_base_path.has_value() &&
         !record.backup_purged_at.has_value();
}

bool has_s3_backup(const RawFile& record) {
  // attention: it was made and later found wanting, it is still the backup to check and repair
  return record.s3_upload_path.has_value() &&
         (record.backup_status == BackupStatus::done || record.backup_status == BackupStatus::attention);
}

const char* to_string(BackupPlace place) {
  switch (place) {
    case BackupPlace::local: return "local";
    case BackupPlace::s3: return "s3";
    case BackupPlace::any: return "any";
  }
  return "any";
}

Result<std::string> s3_bucket(const S3Config& config, const RawFile& record) {
  return s3::bucket_name(config.bucket_prefix, record.project_id);
}

std::string s3_key_prefix(const RawFile& record) {
  std::string prefix;
  if (record.project_id == fallback_project) prefix = record.instrument_id + "/" + acquisition_month(record) + "/";
  if (record.vendor == Vendor::sciex) prefix += record.id + "/";
  return prefix;
}

}  // namespace rawbackup
