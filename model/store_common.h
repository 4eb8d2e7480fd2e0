// What every record store backend computes the same way, kept out of their SQL: applying a
// change, the events a change appends, summary groups, part MD5s as bytes. Pure, tested
// offline (tests/model/store_common_test.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/record_store.h"

namespace rawbackup {

// "created_at DESC, id DESC" and the like: the ORDER BY terms of a listing in `order` (the same
// SQL on both backends).
const char* order_by_sql(RecordOrder order);

// Applies `change` to `record` in memory (not updated_at, and not the files: a store writes
// those from change.file_info directly, so 20,000 of them are not copied on the way).
void apply_change(RawFile& record, const RecordChange& change);

// An event to append, before the store stamps it with time and actor.
struct EventDraft {
  std::string field;  // "status", "backup_status" or "record"
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::string message;
};

// One event per changed status field, or one "record" event when only other fields changed
// and the change has a message; none otherwise.
std::vector<EventDraft> events_for(const RawFile& before, const RawFile& after, const std::string& message);
// The event of a new record: status none → its status.
EventDraft created_event(const RawFile& record, const std::string& message);

// One group of records as a store counts them (GROUP BY instrument, status, backup_status).
// Adds a group to its instrument's counts and the totals (and to the groups).
void add_group(StoreSummary& summary, const SummaryGroup& group);

// The group columns both backends select (after instrument, status, backup_status), and the
// query counting failed runs since {since} per instrument: each change setting backup_status
// to failed or attention, and each setting status to error that did not also set
// backup_status to failed (a copy failure sets both: two events of one change, stamped with
// the same time by the same process, counted once).
inline constexpr const char* summary_group_columns =
    "count(*), sum(size), "
    "sum(CASE WHEN status = 'copying_done' AND backup_base_path IS NOT NULL AND backup_purged_at IS NULL "
    "THEN size ELSE 0 END), "
    "sum(CASE WHEN s3_upload_path IS NOT NULL THEN size ELSE 0 END), "
    "coalesce(min(CASE WHEN backup_status NOT IN ('done', 'skipped') THEN created_at END), ''), "
    "coalesce(max(last_verified_at), ''), "
    "sum(CASE WHEN purged_at IS NOT NULL THEN 1 ELSE 0 END), "
    "sum(CASE WHEN purged_at IS NOT NULL THEN size ELSE 0 END)";
inline constexpr const char* failures_by_instrument =
    "SELECT r.instrument_id, count(*) FROM events e JOIN raw_files r ON r.id = e.raw_file_id "
    "WHERE e.at >= {since} AND ((e.field = 'backup_status' AND e.to_value IN ('failed', 'attention')) OR "
    "(e.field = 'status' AND e.to_value = 'error' AND NOT EXISTS (SELECT 1 FROM events b "
    "WHERE b.raw_file_id = e.raw_file_id AND b.at = e.at AND b.host = e.host AND b.pid = e.pid "
    "AND b.field = 'backup_status' AND b.to_value = 'failed'))) GROUP BY r.instrument_id";

// The filter's purge conditions as SQL to append to a WHERE clause (" AND purged_at IS NULL …";
// "" for none). The time of backup_purged_before becomes a literal of the characters a stored
// UTC time has (digits and "-:.TZ"); any other is dropped, so no text reaches the SQL as code.
std::string purge_conditions(const RecordFilter& filter);

// Part MD5s as stored: 16 bytes a part, in order. Unpacking fails for a length that is not a
// multiple of 16 (a damaged store).
std::string pack_part_md5s(const std::vector<Md5Digest>& parts);
Result<std::vector<Md5Digest>> unpack_part_md5s(std::span<const std::byte> bytes);
// The same as hex text (32 digits a part), for stores that move them as text.
std::string part_md5s_hex(const std::vector<Md5Digest>& parts);
Result<std::vector<Md5Digest>> part_md5s_from_hex(const std::string& hex);

// An Event of `draft` by `actor` at `at`: every event of one change gets the change's time
// (the record's updated_at), so they read as one change.
Event stamped(const std::string& id, const EventDraft& draft, const Actor& actor, const std::string& at);

}  // namespace rawbackup
