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
struct SummaryGroup {
  std::string instrument_id, status, backup_status;
  uint64_t records = 0, bytes = 0, bytes_local = 0, bytes_s3 = 0;
};
void add_group(StoreSummary& summary, const SummaryGroup& group);

// Part MD5s as stored: 16 bytes a part, in order. Unpacking fails for a length that is not a
// multiple of 16 (a damaged store).
std::string pack_part_md5s(const std::vector<Md5Digest>& parts);
Result<std::vector<Md5Digest>> unpack_part_md5s(std::span<const std::byte> bytes);
// The same as hex text (32 digits a part), for stores that move them as text.
std::string part_md5s_hex(const std::vector<Md5Digest>& parts);
Result<std::vector<Md5Digest>> part_md5s_from_hex(const std::string& hex);

// An Event stamped for `draft` now, by `actor`.
Event stamped(const std::string& id, const EventDraft& draft, const Actor& actor);

}  // namespace rawbackup
