#include "model/store_common.h"

#include <algorithm>
#include <cstring>

#include "common/text.h"

namespace rawbackup {

const char* order_by_sql(RecordOrder order) {
  switch (order) {
    case RecordOrder::newest: return "created_at DESC, id DESC";
    case RecordOrder::oldest: return "created_at ASC, id ASC";
    case RecordOrder::name: return "id ASC";
    case RecordOrder::largest: return "size DESC, id ASC";
    case RecordOrder::updated: return "updated_at DESC, id DESC";
  }
  return "created_at DESC, id DESC";
}

void apply_change(RawFile& r, const RecordChange& c) {
  if (c.status) r.status = *c.status;
  if (c.backup_status) r.backup_status = *c.backup_status;
  if (c.size) r.size = *c.size;
  if (c.created_at) r.created_at = *c.created_at;
  if (c.project_id) r.project_id = *c.project_id;
  if (c.error) r.error = *c.error;
  if (c.backup_base_path) r.backup_base_path = *c.backup_base_path;
  if (c.s3_upload_path) r.s3_upload_path = *c.s3_upload_path;
  if (c.last_verified_at) r.last_verified_at = *c.last_verified_at;
  if (c.purged_at) r.purged_at = *c.purged_at;
  if (c.backup_purged_at) r.backup_purged_at = *c.backup_purged_at;
  if (c.s3_uploads) r.s3_uploads = *c.s3_uploads;
}

std::vector<EventDraft> events_for(const RawFile& before, const RawFile& after, const std::string& message) {
  std::vector<EventDraft> events;
  if (after.status != before.status) {
    events.push_back({"status", to_string(before.status), to_string(after.status), message});
  }
  if (after.backup_status != before.backup_status) {
    events.push_back({"backup_status", to_string(before.backup_status), to_string(after.backup_status), message});
  }
  if (after.purged_at != before.purged_at) {  // purged, or brought back by a restore
    events.push_back({"purged_at", before.purged_at, after.purged_at, message});
  }
  if (after.backup_purged_at != before.backup_purged_at) {
    events.push_back({"backup_purged_at", before.backup_purged_at, after.backup_purged_at, message});
  }
  if (events.empty() && !message.empty()) events.push_back({"record", std::nullopt, std::nullopt, message});
  return events;
}

EventDraft created_event(const RawFile& record, const std::string& message) {
  return {"status", std::nullopt, to_string(record.status), message};
}

std::string purge_conditions(const RecordFilter& filter) {
  std::string sql = filter.unpurged_only ? " AND purged_at IS NULL" : "";
  if (filter.backup_purged_before) {
    std::string at;
    for (char c : *filter.backup_purged_before) {
      if ((c >= '0' && c <= '9') || (c != '\0' && std::strchr("-:.TZ", c) != nullptr)) at += c;
    }
    sql += " AND (backup_purged_at IS NULL OR backup_purged_at >= '" + at + "')";
  }
  return sql;
}

void add_group(StoreSummary& summary, const SummaryGroup& g) {
  for (StatusCounts* counts : {&summary.all, &summary.instruments[g.instrument_id]}) {
    counts->records += g.records;
    counts->bytes += g.bytes;
    counts->bytes_local += g.bytes_local;
    counts->bytes_s3 += g.bytes_s3;
    counts->status[g.status] += g.records;
    counts->backup_status[g.backup_status] += g.records;
    if (!g.oldest_unbacked_at.empty() &&
        (counts->oldest_unbacked_at.empty() || g.oldest_unbacked_at < counts->oldest_unbacked_at)) {
      counts->oldest_unbacked_at = g.oldest_unbacked_at;
    }
    counts->last_verified_at = std::max(counts->last_verified_at, g.last_verified_at);
    counts->purged += g.purged;
    counts->bytes_purged += g.bytes_purged;
  }
  summary.groups.push_back(g);
}

std::string pack_part_md5s(const std::vector<Md5Digest>& parts) {
  std::string bytes(parts.size() * 16, '\0');
  for (size_t i = 0; i < parts.size(); ++i) std::memcpy(bytes.data() + i * 16, parts[i].data(), 16);
  return bytes;
}

Result<std::vector<Md5Digest>> unpack_part_md5s(std::span<const std::byte> bytes) {
  if (bytes.size() % 16 != 0)
    return fail("record store: part MD5s of " + std::to_string(bytes.size()) + " bytes, not a multiple of 16");
  std::vector<Md5Digest> parts(bytes.size() / 16);
  for (size_t i = 0; i < parts.size(); ++i) std::memcpy(parts[i].data(), bytes.data() + i * 16, 16);
  return parts;
}

std::string part_md5s_hex(const std::vector<Md5Digest>& parts) {
  std::string hex;
  hex.reserve(parts.size() * 32);
  for (const Md5Digest& part : parts) hex += to_hex(part);
  return hex;
}

Result<std::vector<Md5Digest>> part_md5s_from_hex(const std::string& hex) {
  if (hex.size() % 32 != 0)
    return fail("record store: part MD5s of " + std::to_string(hex.size()) + " hex digits, not a multiple of 32");
  std::vector<Md5Digest> parts;
  parts.reserve(hex.size() / 32);
  for (size_t at = 0; at < hex.size(); at += 32) {
    auto part = md5_from_hex(std::string_view(hex).substr(at, 32));
    if (!part) return fail("record store: part MD5s are not hex");
    parts.push_back(*part);
  }
  return parts;
}

Event stamped(const std::string& id, const EventDraft& d, const Actor& actor, const std::string& at) {
  return {0, id, at, actor.task, actor.host, actor.pid, d.field, d.from, d.to, d.message};
}

}  // namespace rawbackup
