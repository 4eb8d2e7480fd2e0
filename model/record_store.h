// The raw-file record store: one interface, two backends chosen by URL (model/store/open_store.h):
//   sqlite:///abs/path.sqlite   one file on a local disk: the embedded default, one host
//   postgresql://user@host/db   a shared server: acquisition PCs, workers and operators on
//                               many hosts working on the same records
// The contract below is held by one conformance suite for every backend
// (tests/model/record_store_conformance_test.cpp):
// - insert() of an id that exists: kind conflict. update() of an unknown id: kind usage.
// - Every change of status or backup_status appends one event (time, task, host, pid, field,
//   from → to, message) in the same transaction as the change; a change of other fields
//   with a message appends one "record" event. Readers never see one without the other.
// - A store busy (locked by another writer, unreachable, a serialization failure or deadlock)
//   is retried within the busy timeout, then kind failed ("record store is busy …" /
//   "… unreachable"): retryable, and nothing half written.
// - Listings are ordered newest acquisition first (created_at descending, then id).
// - A store opened read-only refuses every write (kind usage) and never migrates.
// - lock(): one holder per raw file across processes and hosts (a lease, model/lease.h).
// - A store object is used by one thread at a time; the locks it hands out may keep
//   heartbeating from their own threads meanwhile (and may outlive the store).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/lease.h"
#include "model/raw_file.h"
#include "model/sighting.h"

namespace rawbackup {

struct Event {
  int64_t seq = 0;  // order of writing within one store
  std::string raw_file_id;
  std::string at;
  std::string task;
  std::string host;
  int64_t pid = 0;
  std::string field;  // "status", "backup_status" or "record"
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::string message;
};

// Fields to change; unset optionals are left as they are. The inner optional of the
// nullable fields clears them when empty.
struct RecordChange {
  std::optional<RawFileStatus> status;
  std::optional<BackupStatus> backup_status;
  std::optional<FileInfo> file_info;  // replaces every file of the record
  std::optional<uint64_t> size;
  std::optional<std::string> created_at;
  std::optional<std::string> project_id;
  std::optional<std::optional<std::string>> error;
  std::optional<std::optional<std::string>> backup_base_path;
  std::optional<std::optional<std::string>> s3_upload_path;
  std::optional<std::optional<std::string>> last_verified_at;
  std::optional<std::optional<std::string>> purged_at;
  std::optional<std::optional<std::string>> backup_purged_at;
  std::optional<std::map<std::string, std::string>> s3_uploads;
  std::string message;  // recorded on the events this change appends
};

// Which records; every set field must match.
struct RecordFilter {
  std::optional<std::string> status;  // matches status or backup_status (their names differ)
  std::optional<std::string> instrument_id;
  std::optional<std::string> changed_since{};  // updated_at at or after (stored UTC format)
  bool unpurged_only = false;                  // leave out records whose instrument copy was purged
  // Leave out records whose local backup was purged before this time (stored UTC format): a
  // daily `purge --target backup` still visits the ones purged since (their .bkp copies age).
  std::optional<std::string> backup_purged_before{};
};

// The order of a listing; each ends on the id, so pages never overlap.
enum class RecordOrder { newest, oldest, name, largest, updated };

struct RecordQuery {
  RecordFilter filter;
  uint64_t limit = 0;  // the first `limit` rows in `order`; 0 for all
  RecordOrder order = RecordOrder::newest;  // by acquisition time, the newest first
};

// Counts and bytes of a group of records (status --summary).
struct StatusCounts {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t bytes_local = 0;  // copy-local finished (copying_done with a backup path)
  uint64_t bytes_s3 = 0;     // upload-s3 finished (an S3 upload path)
  std::map<std::string, uint64_t> status;
  std::map<std::string, uint64_t> backup_status;
  std::string oldest_unbacked_at;  // created_at of the oldest record not backed up (done or skipped); "" for none
  std::string last_verified_at;    // the newest last_verified_at; "" when none was ever verified
  uint64_t purged = 0;             // records whose instrument copy purge deleted
  uint64_t bytes_purged = 0;       // their size: what purge freed on the instruments
};

// One status × backup_status group of an instrument's records, as the store counts them.
struct SummaryGroup {
  std::string instrument_id, status, backup_status;
  uint64_t records = 0, bytes = 0, bytes_local = 0, bytes_s3 = 0;
  std::string oldest_unbacked_at{}, last_verified_at{};  // as in StatusCounts
  uint64_t purged = 0, bytes_purged = 0;
};

struct ErrorLine {
  std::string id, instrument_id, updated_at, error;
};

struct StoreSummary {
  StatusCounts all;
  std::map<std::string, StatusCounts> instruments;
  std::vector<SummaryGroup> groups;    // per instrument × status × backup_status
  std::vector<ErrorLine> last_errors;  // newest first
};

// A record as it is, with its events as they were: what `store copy` moves.
struct StoredRecord {
  RawFile record;
  std::vector<Event> events;
};

// How a store is opened (model/store/open_store.h).
struct StoreOptions {
  bool read_only = false;                          // refuse writes; never create or migrate (status, dry runs)
  std::chrono::milliseconds busy_timeout{10'000};  // retry busy/unreachable this long
};

// The store itself, as `doctor` reports it: found without writing anything.
struct StoreHealth {
  int schema_version = 0;     // 0: no store yet (the first task that writes creates it)
  std::string write_problem;  // why this process's writes would be refused; "" when they would be taken
};

// Called for each row in order; an error stops the listing and is returned.
using RowVisitor = std::function<Status(const RecordRow&)>;

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Where the store is, for messages: "sqlite:///var/lib/rawbackup/s.sqlite", or the
  // PostgreSQL URL without its password.
  virtual std::string location() const = 0;
  // Who writes: stamped on every event.
  virtual const Actor& actor() const = 0;
  // The schema version and whether writes would be taken (privileges, a read-only file,
  // folder or server), checked without writing; a store opened read-only answers for the
  // writers that will come.
  virtual Result<StoreHealth> health() = 0;

  virtual Result<std::optional<RawFile>> get(const std::string& id) = 0;
  // Inserts a new record with a "created" event (status: none → its status).
  virtual Status insert(const RawFile& record, const std::string& message) = 0;
  // Applies `change` atomically with its events; returns the row as it is now.
  virtual Result<RecordRow> update(const std::string& id, const RecordChange& change) = 0;
  // Every event of `id`, oldest first.
  virtual Result<std::vector<Event>> history(const std::string& id) = 0;

  // Rows without their files, streamed (memory does not grow with the store).
  virtual Status list_rows(const RecordQuery& query, const RowVisitor& visit) = 0;
  virtual Result<std::vector<std::string>> list_ids(const RecordFilter& filter) = 0;
  virtual Result<uint64_t> count(const RecordFilter& filter) = 0;
  // Counted by the store (no record is loaded); at most `max_errors` last errors.
  virtual Result<StoreSummary> summarize(const RecordFilter& filter, size_t max_errors) = 0;
  // Per instrument, the changes at or after `since` that set status to error or backup_status
  // to failed or attention (each failed run counts once, also of records that later succeeded).
  virtual Result<std::map<std::string, uint64_t>> count_failures(const std::string& since) = 0;

  // The per-record lock, waiting as `options` say; "busy: ID is held by …" (kind failed).
  virtual Result<std::unique_ptr<RecordLock>> lock(const std::string& id, const LockOptions& options) = 0;

  // Visits the rows (without files) of those of `ids` that are recorded, in one query: what
  // `scan` looks up for a whole folder listing (visited, not collected: 10,000 rows).
  virtual Status rows_named(const std::vector<std::string>& ids, const RowVisitor& visit) = 0;
  // Every sighting of `instrument_id` (model/sighting.h), by name.
  virtual Result<std::vector<Sighting>> sightings(const std::string& instrument_id) = 0;
  // In one transaction: upserts `seen` (merged as model/sighting.h says, so two hosts scanning
  // at once keep one row per set) and deletes the sightings of `forget` (names of `instrument_id`).
  virtual Status save_sightings(const std::string& instrument_id, const std::vector<Sighting>& seen,
                                const std::vector<std::string>& forget) = 0;

  // Writes records and their events as given (times, hosts, messages kept), all in one
  // transaction; an id that exists is a conflict and nothing is written.
  virtual Status import(const std::vector<StoredRecord>& records) = 0;
};

}  // namespace rawbackup
