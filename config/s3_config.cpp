#include "config/s3_config.h"

#include "common/rate_limiter.h"
#include "common/text.h"

namespace rawbackup {
namespace {

std::optional<std::string> read_endpoint(MapReader& s3) {
  auto endpoint = s3.optional_string("endpoint_url");
  // The scheme in any case, as the SDKs take it; the rest is checked where the client is made.
  if (endpoint && !to_lower(*endpoint).starts_with("http://") && !to_lower(*endpoint).starts_with("https://")) {
    s3.fail_at(s3.key_path("endpoint_url"), "must start with http:// or https://");
  }
  return endpoint;
}

// A storage class as S3 spells them (STANDARD_IA, DEEP_ARCHIVE) or as a server defines one.
bool valid_storage_class(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

// How objects are written, from `map` over `base` (a project's settings over the section's):
// a key present replaces the base's; sse: none drops the KMS settings with it.
ObjectWriteSettings read_object_settings(MapReader& map, ObjectWriteSettings base, const std::filesystem::path& base_dir) {
  ObjectWriteSettings s = std::move(base);
  if (map.has("sse")) {
    std::string sse = map.string("sse");
    if (sse != "none" && sse != "AES256" && sse != "aws:kms") {
      map.fail_at(map.key_path("sse"), "must be one of none, AES256, aws:kms, got '" + sse + "'");
    }
    s.sse = sse == "none" ? "" : sse;
    if (s.sse != "aws:kms") s = ObjectWriteSettings{s.sse, "", false, s.sse_c_key_file, s.storage_class};
  }
  if (auto key = map.optional_string("kms_key_id")) s.kms_key_id = *key;
  s.bucket_key = map.flag("bucket_key", s.bucket_key);
  if (auto file = map.optional_string("sse_c_key_file")) s.sse_c_key_file = resolve_config_path(base_dir, *file);
  if (auto name = map.optional_string("storage_class")) {
    if (!valid_storage_class(*name)) {
      map.fail_at(map.key_path("storage_class"), "must be a storage class name like STANDARD_IA, got '" + *name + "'");
    }
    s.storage_class = *name;
  }
  if (s.sse != "aws:kms" && (!s.kms_key_id.empty() || s.bucket_key)) {
    map.fail_at(map.key_path(s.kms_key_id.empty() ? "bucket_key" : "kms_key_id"), "needs sse: aws:kms");
  }
  if (!s.sse.empty() && !s.sse_c_key_file.empty()) {
    map.fail_at(map.key_path("sse_c_key_file"),
                "cannot be combined with sse: " + s.sse + " (S3 encrypts an object one way)");
  }
  return s;
}

}  // namespace

S3Config read_s3(MapReader& backup, const std::filesystem::path& base_dir) {
  MapReader s3 = backup.map("s3");
  S3Config config;
  config.region = s3.optional_string("region").value_or("");
  config.profile = s3.optional_string("profile").value_or("");
  config.bucket_prefix = s3.string("bucket_prefix");
  config.endpoint_url = read_endpoint(s3);
  if (s3.has("part_size_mb")) {
    int64_t mb = s3.integer("part_size_mb");
    if (mb < 5 || mb > 5120) {
      s3.fail_at(s3.key_path("part_size_mb"),
                 "must be between 5 and 5120 (S3 allows parts of 5 MiB to 5 GiB), got " + std::to_string(mb));
    }
    config.part_size = static_cast<uint64_t>(mb) * mebibyte;
  }
  if (s3.has("concurrency")) {
    int64_t n = s3.integer("concurrency");
    if (n < 1 || n > 64) s3.fail_at(s3.key_path("concurrency"), "must be between 1 and 64, got " + std::to_string(n));
    config.concurrency = static_cast<unsigned>(n);
  }
  if (s3.has("stall_timeout_s")) {
    int64_t n = s3.integer("stall_timeout_s");
    if (n < 1 || n > 3600)
      s3.fail_at(s3.key_path("stall_timeout_s"), "must be between 1 and 3600 seconds, got " + std::to_string(n));
    config.stall_timeout_seconds = static_cast<unsigned>(n);
  }
  if (auto rate = s3.optional_string("max_bandwidth")) {
    config.max_bandwidth = parse_rate(*rate);
    if (!config.max_bandwidth)
      s3.fail_at(s3.key_path("max_bandwidth"), "must be a rate like 50MB/s or 500KiB/s, got '" + *rate + "'");
  }
  config.objects = read_object_settings(s3, {}, base_dir);
  if (s3.has("projects")) {
    MapReader projects = s3.map("projects");
    for (const auto& entry : projects.node()) {
      std::string project = entry.first.as<std::string>();
      MapReader overrides = projects.map(project);
      config.project_objects[project] = read_object_settings(overrides, config.objects, base_dir);
      overrides.reject_unknown();
    }
  }
  s3.reject_unknown();
  return config;
}

std::string ObjectWriteSettings::describe() const {
  std::string text = !sse_c_key_file.empty()  ? "SSE-C (customer key from " + sse_c_key_file.string() + ")"
                     : sse == "aws:kms"       ? std::string(kms_key_id.empty() ? "SSE-KMS (the account's default key)"
                                                                               : "SSE-KMS (the configured key)") +
                                              (bucket_key ? ", bucket key" : "")
                     : sse == "AES256"        ? "SSE-S3 (AES256)"
                                              : "the bucket's default encryption";
  return text + ", storage class " + (storage_class.empty() ? "the bucket's default" : storage_class);
}

const ObjectWriteSettings& S3Config::objects_for(const std::string& project) const {
  auto it = project_objects.find(project);
  return it == project_objects.end() ? objects : it->second;
}

}  // namespace rawbackup
