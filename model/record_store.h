// The raw-file record store (SQLite, WAL). Every status change is written together with an
// event row in one transaction, so "what happened to this file and when" has an answer.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/raw_file.h"
#include "model/sqlite.h"

namespace rawbackup {

// Who writes: stamped on every event.
struct Actor {
  std::string task;
  std::string host;
  int64_t pid = 0;
};

struct Event {
  int64_t seq = 0;
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
  std::optional<FileInfo> file_info;
  std::optional<uint64_t> size;
  std::optional<std::string> created_at;
  std::optional<std::string> project_id;
  std::optional<std::optional<std::string>> error;
  std::optional<std::optional<std::string>> backup_base_path;
  std::optional<std::optional<std::string>> s3_upload_path;
  std::optional<std::optional<std::string>> last_verified_at;
  std::optional<std::map<std::string, std::string>> s3_uploads;
  std::string message;  // recorded on the events this change appends
};

struct RecordFilter {
  std::optional<std::string> status;  // matches status or backup_status (their names differ)
  std::optional<std::string> instrument_id;
  std::vector<std::string> ids{};  // empty: all
  std::optional<std::string> changed_since{};  // updated_at at or after (stored UTC format)
};

class RecordStore {
 public:
  // Opens or creates the store (and its folder) and migrates it to this build's schema.
  static Result<RecordStore> open(const std::filesystem::path& path, Actor actor,
                                  int busy_timeout_ms = 10000);

  Result<std::optional<RawFile>> get(const std::string& id);
  // Newest acquisition first.
  Result<std::vector<RawFile>> list(const RecordFilter& filter);
  // Inserts a new record with a "created" event; conflict when the id exists.
  Status insert(const RawFile& record, const std::string& message);
  // Applies `change` atomically; one event per changed status field, or one "record" event
  // when only other fields change and a message is given. Fails when the id is unknown.
  Result<RawFile> update(const std::string& id, const RecordChange& change);
  Result<std::vector<Event>> history(const std::string& id);

  sqlite::Database& database() { return db_; }
  const Actor& actor() const { return actor_; }

 private:
  RecordStore(sqlite::Database db, Actor actor) : db_(std::move(db)), actor_(std::move(actor)) {}
  Status write(const RawFile& record, bool insert);
  Status append_event(const std::string& id, const std::string& field,
                      const std::optional<std::string>& from, const std::optional<std::string>& to,
                      const std::string& message);

  sqlite::Database db_;
  Actor actor_;
};

}  // namespace rawbackup
