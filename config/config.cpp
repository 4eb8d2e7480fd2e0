#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "common/text.h"
#include "config/map_reader.h"
#include "config/s3_config.h"
#include "config/store_url.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

bool valid_instrument_id(const std::string& id) {
  if (id.empty() || id == "." || id == "..") return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

InstrumentConfig read_instrument(MapReader& instruments, const std::string& id, const fs::path& base_dir) {
  if (!valid_instrument_id(id)) {
    instruments.fail_at(instruments.key_path(id), "instrument ids may use letters, digits, '_', '-' and '.' only");
  }
  MapReader entry = instruments.map(id);
  InstrumentConfig instrument;
  instrument.id = id;
  instrument.vendor =
      entry.choice<Vendor>("type", {{"thermo", Vendor::thermo}, {"bruker", Vendor::bruker}, {"sciex", Vendor::sciex}});
  instrument.path = resolve_config_path(base_dir, entry.string("path"));
  instrument.must_be_mount = entry.flag("mount", false);
  instrument.required_members = entry.optional_strings("required_members");
  if (instrument.required_members) {
    for (const std::string& member : *instrument.required_members) {
      if (member.starts_with('/') || member.find("..") != std::string::npos || member.find('\\') != std::string::npos) {
        entry.fail_at(entry.key_path("required_members"), "'" + member + "' must be a relative name without '..'");
      }
    }
  }
  entry.reject_unknown();
  return instrument;
}

void read_backup(MapReader& top, Config& config, const fs::path& base_dir) {
  if (!top.has("backup")) return;  // defaults: local backup, default part size
  MapReader backup = top.map("backup");
  config.backup_type = backup.choice<BackupType>("backup_type", {{"local", BackupType::local}, {"s3", BackupType::s3}});
  if (backup.has("s3")) {
    config.s3 = read_s3(backup, base_dir);
  } else if (config.backup_type == BackupType::s3) {
    backup.fail_at(backup.key_path("s3"), "is required when backup_type is s3");
  }
  backup.reject_unknown();
}

// `key` of `map` within [low, high] (described as `range` when it is not); `unset` when absent.
int64_t integer_within(MapReader& map, const char* key, int64_t low, int64_t high, const char* range, int64_t unset) {
  if (!map.has(key)) return unset;
  int64_t n = map.integer(key);
  if (n < low || n > high)
    map.fail_at(map.key_path(key), std::string("must be between ") + range + ", got " + std::to_string(n));
  return n;
}

// store: {path: FILE} or {url: URL}, exactly one; a URL must not carry a password. The
// section may be left out when RAWBACKUP_STORE_URL names the store (it overrides both).
void read_store(MapReader& top, Config& config, const fs::path& base_dir) {
  if (!top.has("store") && std::getenv("RAWBACKUP_STORE_URL") != nullptr) return;
  MapReader store = top.map("store");
  bool by_path = store.has("path");
  bool by_url = store.has("url");
  if (by_path == by_url)
    store.fail_at("store", "needs exactly one of path (SQLite file) or url (sqlite:// or postgresql://)");
  if (by_path) {
    config.store_url = "sqlite://" + resolve_config_path(base_dir, store.string("path")).string();
  } else {
    std::string url = store.string("url");
    auto parsed = parse_store_url(url);
    if (!parsed) store.fail_at(store.key_path("url"), parsed.error().message);
    if (parsed->has_password) {
      store.fail_at(store.key_path("url"), "must not contain a password (use PGPASSWORD, ~/.pgpass or a service file)");
    }
    config.store_url = url;
  }
  config.lease_seconds = integer_within(store, "lease_seconds", 5, 86400, "5 and 86400", config.lease_seconds);
  store.reject_unknown();
}

void read_checksum(MapReader& top, Config& config) {
  if (!top.has("checksum")) return;
  MapReader checksum = top.map("checksum");
  config.settle_seconds =
      integer_within(checksum, "settle_seconds", 0, 86400, "0 (off) and 86400", config.settle_seconds);
  checksum.reject_unknown();
}

void read_transfer(MapReader& top, Config& config) {
  if (!top.has("transfer")) return;
  MapReader transfer = top.map("transfer");
  config.transfer_workers =
      static_cast<unsigned>(integer_within(transfer, "workers", 1, 1024, "1 and 1024", config.transfer_workers));
  transfer.reject_unknown();
}

void read_purge(MapReader& top, Config& config) {
  if (!top.has("purge")) return;
  MapReader purge = top.map("purge");
  config.purge_min_age_days = integer_within(purge, "min_age_days", 0, 36500, "0 and 36500", config.purge_min_age_days);
  config.backup_min_age_days =
      integer_within(purge, "backup_min_age_days", 0, 36500, "0 and 36500", config.backup_min_age_days);
  config.aside_min_age_days =
      integer_within(purge, "bkp_min_age_days", 0, 36500, "0 and 36500", config.aside_min_age_days);
  purge.reject_unknown();
}

void read_serve(MapReader& top, Config& config) {
  if (!top.has("serve")) return;
  MapReader serve = top.map("serve");
  config.age_warn_hours = integer_within(serve, "age_warn_hours", 1, 8760, "1 and 8760", config.age_warn_hours);
  config.age_alert_hours = integer_within(serve, "age_alert_hours", 1, 8760, "1 and 8760", config.age_alert_hours);
  if (config.age_alert_hours <= config.age_warn_hours) {
    serve.fail_at("serve.age_alert_hours", "must be more than serve.age_warn_hours (" +
                                               std::to_string(config.age_warn_hours) + ")");
  }
  serve.reject_unknown();
}

void read_project_pattern(MapReader& top, Config& config) {
  config.project_pattern = top.optional_string("project_pattern");
  if (!config.project_pattern) return;
  try {
    config.project_regex.emplace(*config.project_pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    top.fail_at("project_pattern", std::string("is not a valid regular expression: ") + e.what());
  }
  if (config.project_regex->mark_count() < 1) {
    top.fail_at("project_pattern", "needs a capture group, e.g. \"_(PRID\\\\d+)_\"");
  }
}

Config read_config(const YAML::Node& root, const fs::path& file) {
  std::string file_name = file.string();
  fs::path base_dir = file.parent_path().empty() ? fs::current_path() : file.parent_path();
  base_dir = fs::absolute(base_dir);
  MapReader top(root, "", file_name);
  Config config;
  config.file = file;
  read_store(top, config, base_dir);
  MapReader instruments = top.map("instruments");
  for (const auto& entry : instruments.node()) {
    std::string id = entry.first.as<std::string>();
    config.instruments[id] = read_instrument(instruments, id, base_dir);
  }
  if (config.instruments.empty()) top.fail_at("instruments", "must list at least one instrument");
  MapReader locations = top.map("locations");
  config.backup_path = resolve_config_path(base_dir, locations.string("backup"));
  locations.reject_unknown();
  read_project_pattern(top, config);
  read_checksum(top, config);
  read_transfer(top, config);
  read_purge(top, config);
  read_serve(top, config);
  read_backup(top, config, base_dir);
  top.reject_unknown();
  return config;
}

}  // namespace

const char* to_string(Vendor v) {
  switch (v) {
    case Vendor::thermo: return "thermo";
    case Vendor::bruker: return "bruker";
    case Vendor::sciex: return "sciex";
  }
  return "?";
}

const char* to_string(BackupType t) { return t == BackupType::s3 ? "s3" : "local"; }

const InstrumentConfig& Config::instrument(const std::string& id) const {
  auto it = instruments.find(id);
  if (it != instruments.end()) return it->second;
  std::string known;
  for (const auto& [name, _] : instruments) known += (known.empty() ? "" : ", ") + name;
  throw UsageError("unknown instrument '" + id + "' (config " + file.string() + " has: " + known + ")");
}

Config parse_config(const std::string& yaml_text, const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw UsageError(file.string() + ": line " + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root || root.IsNull()) throw UsageError(file.string() + ": the file is empty");
  try {
    return read_config(root, file);
  } catch (const YAML::Exception& e) {
    throw UsageError(file.string() + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Config load_config(const fs::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) throw UsageError(file.string() + ": is a folder, not a config file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError(file.string() + ": cannot read config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file);
}

}  // namespace rawbackup
