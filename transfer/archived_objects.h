// Objects in an archive storage class (GLACIER, DEEP_ARCHIVE) have no readable bytes until a
// restore request made a temporary copy: what reads them (verify --deep, restore, purge's
// read-back) finds them first and says so, with what to do, instead of S3's raw
// InvalidObjectState. The restore state comes from HEAD (find_set_objects' archive_states).
#pragma once
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/object_store.h"
#include "transfer/s3_set_listing.h"  // SetObjects

namespace rawbackup {

// Whether `storage_class` keeps an object's bytes out of reach until restored (not
// GLACIER_IR, whose bytes are read at once).
bool is_archive_class(const std::string& storage_class);

enum class ArchiveState { readable, archived, restoring };
// readable: not archived, or a restore finished (x-amz-restore: ongoing-request="false").
ArchiveState archive_state(const ObjectInfo& info);

// "s3://B/K is archived in DEEP_ARCHIVE: its bytes cannot be read until S3 restores a copy
// (`rawbackup restore ID --request-archive-restore DAYS` asks for one; tier Standard, up to
// 12 h)", or "… is being restored from DEEP_ARCHIVE (requested earlier): retry later"; "" when
// readable.
std::string archived_problem(const std::string& url, const ObjectInfo& info, const std::string& record_id);

// Every object of `found` (states read) readable: ok. Else, with `request_days` > 0, a restore
// is requested for each archived one (those already being restored left alone) and the error
// says so, kind failed and transient (exit 1: retry later); without, kind mismatch naming each
// and what to do (exit 4), or failed and transient while restores are still under way.
Status require_readable(ObjectStore& store, const std::string& bucket, const SetObjects& found,
                        const std::string& record_id, int request_days);

// The restore tier rawbackup asks for, and how long S3 says it takes for `storage_class`.
inline constexpr const char* restore_tier = "Standard";
std::string restore_duration(const std::string& storage_class);

}  // namespace rawbackup
