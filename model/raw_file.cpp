#include "model/raw_file.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "integrity/etag.h"

namespace rawbackup {

std::string FileEntry::part_md5_hex(uint64_t at_part_size, uint64_t index) const {
  if (size <= at_part_size) return index == 0 ? md5 : "";
  if (part_size != at_part_size || part_md5s.size() != part_count(size, at_part_size) || index >= part_md5s.size()) {
    return "";
  }
  return to_hex(part_md5s[index]);
}

bool FileEntry::allows_etag(const std::string& reported) const {
  return etag_matches(reported, md5, etag) ||
         (!object_etag.empty() && etag_matches(reported, object_etag, object_etag));
}

const char* to_string(ObjectEtagKind kind) {
  switch (kind) {
    case ObjectEtagKind::none: return "";
    case ObjectEtagKind::other_tool: return "other_tool";
    case ObjectEtagKind::read_back: return "read_back";
    case ObjectEtagKind::encrypted: return "encrypted";
  }
  return "";
}

std::optional<ObjectEtagKind> object_etag_kind_from(const std::string& s) {
  for (ObjectEtagKind k :
       {ObjectEtagKind::none, ObjectEtagKind::other_tool, ObjectEtagKind::read_back, ObjectEtagKind::encrypted}) {
    if (s == to_string(k)) return k;
  }
  return std::nullopt;
}

namespace {

constexpr std::array<std::pair<RawFileStatus, const char*>, 5> raw_file_statuses{{
    {RawFileStatus::checksumming, "checksumming"},
    {RawFileStatus::checksummed, "checksummed"},
    {RawFileStatus::copying, "copying"},
    {RawFileStatus::copying_done, "copying_done"},
    {RawFileStatus::error, "error"},
}};

constexpr std::array<std::pair<BackupStatus, const char*>, 6> backup_statuses{{
    {BackupStatus::pending, "pending"},
    {BackupStatus::in_progress, "in_progress"},
    {BackupStatus::done, "done"},
    {BackupStatus::failed, "failed"},
    {BackupStatus::skipped, "skipped"},
    {BackupStatus::attention, "attention"},
}};

template <class Enum, size_t N>
const char* name_of(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <class Enum, size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, const char*>, N>& table, const std::string& name) {
  for (const auto& [v, n] : table) {
    if (name == n) return v;
  }
  return std::nullopt;
}

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

const char* to_string(RawFileStatus s) { return name_of(raw_file_statuses, s); }
const char* to_string(BackupStatus s) { return name_of(backup_statuses, s); }
std::optional<RawFileStatus> raw_file_status_from(const std::string& s) { return value_of(raw_file_statuses, s); }
std::optional<BackupStatus> backup_status_from(const std::string& s) { return value_of(backup_statuses, s); }
std::optional<Vendor> vendor_from(const std::string& s) {
  for (Vendor v : {Vendor::thermo, Vendor::bruker, Vendor::sciex}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

nlohmann::json file_info_to_json(const FileInfo& info) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [path, e] : info) {
    j[path] = {{"size", e.size},           {"md5", e.md5},           {"etag", e.etag},
               {"part_size", e.part_size}, {"mtime_ns", e.mtime_ns}, {"parts", e.part_md5s.size()}};
    if (!e.object_etag.empty()) {
      j[path]["object"] = {
          {"etag", e.object_etag}, {"part_size", e.object_part_size}, {"kind", to_string(e.object_etag_kind)}};
    }
  }
  return j;
}

nlohmann::json to_json(const RecordRow& r) {
  return {{"id", r.id},
          {"instrument_id", r.instrument_id},
          {"project_id", r.project_id},
          {"vendor", to_string(r.vendor)},
          {"created_at", r.created_at},
          {"size", r.size},
          {"status", to_string(r.status)},
          {"backup_status", to_string(r.backup_status)},
          {"backup_base_path", optional_json(r.backup_base_path)},
          {"s3_upload_path", optional_json(r.s3_upload_path)},
          {"last_verified_at", optional_json(r.last_verified_at)},
          {"purged_at", optional_json(r.purged_at)},
          {"backup_purged_at", optional_json(r.backup_purged_at)},
          {"error", optional_json(r.error)},
          {"updated_at", r.updated_at}};
}

nlohmann::json to_json(const RawFile& r) {
  nlohmann::json j = to_json(static_cast<const RecordRow&>(r));
  j["file_info"] = file_info_to_json(r.file_info);
  j["s3_uploads"] = r.s3_uploads;
  return j;
}

}  // namespace rawbackup
