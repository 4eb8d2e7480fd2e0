// The objects a raw-file set has in S3, found the cheap way: a HeadObject per file for sets
// of a few files, ListObjectsV2 pages (1,000 keys each) under the set's folder for sets of
// many (a Bruker folder of 20,000 files is 20 requests, not 20,000). Shared by upload-s3's
// plan and verify.
#pragma once
#include <map>
#include <string>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/object_store.h"

namespace rawbackup {

// Object key → what S3 reports, for the keys of `files` under `prefix` that exist ("" or
// ending in '/'). Listing a folder may also return keys that are not the record's.
// `archive_states`: a listing names an object's storage class but not its restore state
// (x-amz-restore), so the record's objects listed in an archive class (GLACIER, DEEP_ARCHIVE)
// are HEADed for it (what reads their bytes needs it; a HEAD per file has it already).
using SetObjects = std::map<std::string, ObjectInfo>;
Result<SetObjects> find_set_objects(ObjectStore& store, const std::string& bucket, const std::string& prefix,
                                    const FileInfo& files, bool archive_states = false);

// What is wrong with the object of `key` among `found` for a file recorded with `size` bytes:
// "" when it is there with that size, else "s3://BUCKET/PREFIXKEY is missing" or "… is shorter
// (longer) than recorded (N bytes, record M)". Verify and restore say it alike.
std::string object_size_problem(const SetObjects& found, const std::string& bucket, const std::string& prefix,
                                const std::string& key, uint64_t size);

}  // namespace rawbackup
