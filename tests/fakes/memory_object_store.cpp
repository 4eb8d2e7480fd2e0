#include "fakes/memory_object_store.h"

#include <thread>

#include "common/interrupt.h"
#include "integrity/md5.h"

namespace rawbackup::testing {
namespace {

s3::S3Error error(int status, const char* code, std::string message) {
  return {status, code, std::move(message), "fake"};
}

Md5Digest md5_of(const std::string& data) {
  Md5 md5;
  md5.update(std::string_view(data));
  return md5.finish();
}

// S3's form for any number of parts, one included: hex MD5 of the part MD5s, "-N".
std::string multipart_etag(const std::vector<Md5Digest>& digests) {
  Md5 md5;
  for (const Md5Digest& d : digests) md5.update(std::as_bytes(std::span(d)));
  return to_hex(md5.finish()) + "-" + std::to_string(digests.size());
}

}  // namespace

std::optional<s3::S3Error> MemoryObjectStore::enter(const std::string& operation) {
  ++calls_[operation];
  auto& queue = faults_[operation];
  if (queue.empty()) return std::nullopt;
  std::optional<s3::S3Error> fault = queue.front();
  queue.erase(queue.begin());
  return fault;
}

S3Result<std::string> MemoryObjectStore::read_body(const Body& body) const {
  std::string data(body.size, '\0');
  for (uint64_t done = 0; done < body.size;) {
    // As the client's progress callback: SIGINT/SIGTERM stops a body being sent.
    if (interrupted()) return std::unexpected(s3::local_error(s3::S3ErrorOrigin::interrupted, "interrupted"));
    auto n = body.read_at(done, std::as_writable_bytes(std::span(data)).subspan(done));
    if (!n && n.error().kind == ErrorKind::interrupted)
      return std::unexpected(s3::local_error(s3::S3ErrorOrigin::interrupted, n.error().message));
    if (!n) return std::unexpected(s3::local_error(s3::S3ErrorOrigin::local_read, n.error().message));
    if (*n == 0) return std::unexpected(s3::local_error(s3::S3ErrorOrigin::local_read, "body ended early"));
    done += *n;
  }
  if (!options_.ignore_content_md5 && !body.md5_hex.empty() && to_hex(md5_of(data)) != body.md5_hex) {
    return std::unexpected(error(400, "BadDigest", "The Content-MD5 you specified did not match what we received."));
  }
  return data;
}

S3Result<MemoryObjectStore::Upload*> MemoryObjectStore::find_upload(const std::string& upload_id) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) return std::unexpected(error(404, "NoSuchUpload", "The specified upload does not exist."));
  return &it->second;
}

S3Status MemoryObjectStore::create_bucket(const std::string& bucket) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("create_bucket")) return std::unexpected(*fault);
  buckets_.insert(bucket);
  return {};
}

S3Result<EndpointProbe> MemoryObjectStore::probe_endpoint() {
  std::lock_guard lock(mutex_);
  auto fault = enter("probe_endpoint");
  if (fault && fault->http_status == 0) return std::unexpected(*fault);
  return EndpointProbe{fault ? fault->http_status : 200, clock_offset_s_, fault};
}

S3Status MemoryObjectStore::head_bucket(const std::string& bucket) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("head_bucket")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  return {};
}

S3Result<std::optional<ObjectInfo>> MemoryObjectStore::head_object(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("head_object")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  auto it = objects_.find({bucket, key});
  if (it == objects_.end()) return std::optional<ObjectInfo>{};
  return ObjectInfo{it->second.data.size(), it->second.etag, options_.encryption, it->second.storage_class,
                    it->second.restore};
}

S3Result<WriteReply> MemoryObjectStore::put_object(const std::string& bucket, const std::string& key,
                                                    const Body& body) {
  auto data = read_body(body);  // outside the lock: reading a file takes time
  std::lock_guard lock(mutex_);
  if (auto fault = enter("put_object")) return std::unexpected(*fault);
  if (!data) return std::unexpected(data.error());
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  std::string etag = forced_etag_.empty() ? etag_of(*data) : forced_etag_;
  objects_[{bucket, key}] = {std::move(*data), etag};
  return WriteReply{etag, options_.encryption};
}

S3Result<std::string> MemoryObjectStore::create_multipart_upload(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("create_multipart_upload")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  std::string id = "upload-" + std::to_string(next_upload_++);
  uploads_[id] = {bucket, key, {}};
  return id;
}

S3Result<WriteReply> MemoryObjectStore::upload_part(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id, int part_number, const Body& body) {
  (void)bucket;
  (void)key;
  auto data = read_body(body);
  std::lock_guard lock(mutex_);
  if (auto fault = enter("upload_part")) return std::unexpected(*fault);
  if (!data) return std::unexpected(data.error());
  auto upload = find_upload(upload_id);
  if (!upload) return std::unexpected(upload.error());
  std::string etag = etag_of(*data);
  (*upload)->parts[part_number] = {std::move(*data), etag};
  return WriteReply{etag, options_.encryption};
}

S3Result<std::string> MemoryObjectStore::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                                   const std::string& upload_id,
                                                                   const std::vector<s3::UploadedPart>& parts) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("complete_multipart_upload")) return std::unexpected(*fault);
  auto upload = find_upload(upload_id);
  if (!upload) return std::unexpected(upload.error());
  std::string data;
  std::vector<Md5Digest> digests;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto it = (*upload)->parts.find(parts[i].number);
    if (it == (*upload)->parts.end() || it->second.etag != s3::unquoted(parts[i].etag)) {
      return std::unexpected(error(400, "InvalidPart", "One or more of the specified parts could not be found."));
    }
    if (i > 0 && parts[i].number <= parts[i - 1].number) {
      return std::unexpected(error(400, "InvalidPartOrder", "The list of parts was not in ascending order."));
    }
    if (i + 1 < parts.size() && it->second.data.size() < options_.min_part_size) {
      return std::unexpected(
          error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"));
    }
    data += it->second.data;
    digests.push_back(md5_of(it->second.data));
  }
  std::string etag = options_.whole_md5_etags ? to_hex(md5_of(data)) : multipart_etag(digests);
  if (!etag_is_md5_under(options_.encryption)) etag = etag_of(data) + "-" + std::to_string(parts.size());
  if (!forced_etag_.empty()) etag = forced_etag_;
  objects_[{bucket, key}] = {std::move(data), etag};
  uploads_.erase(upload_id);
  return etag;
}

S3Status MemoryObjectStore::delete_object(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("delete_object")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  objects_.erase({bucket, key});
  return {};
}

S3Status MemoryObjectStore::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id) {
  (void)bucket;
  (void)key;
  std::lock_guard lock(mutex_);
  if (auto fault = enter("abort_multipart_upload")) return std::unexpected(*fault);
  if (!uploads_.erase(upload_id))
    return std::unexpected(error(404, "NoSuchUpload", "The specified upload does not exist."));
  return {};
}

S3Result<s3::PartsPage> MemoryObjectStore::list_parts(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id, int marker) {
  (void)bucket;
  (void)key;
  std::lock_guard lock(mutex_);
  if (auto fault = enter("list_parts")) return std::unexpected(*fault);
  auto upload = find_upload(upload_id);
  if (!upload) return std::unexpected(upload.error());
  s3::PartsPage page;
  for (auto it = (*upload)->parts.upper_bound(marker); it != (*upload)->parts.end(); ++it) {
    if (static_cast<int>(page.parts.size()) == options_.parts_page_size) {
      page.truncated = true;
      page.next_marker = page.parts.back().number;
      break;
    }
    page.parts.push_back({it->first, it->second.etag, it->second.data.size()});
  }
  return page;
}

S3Result<s3::ObjectsPage> MemoryObjectStore::list_objects(const std::string& bucket, const std::string& prefix,
                                                          const std::string& token) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("list_objects")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket))
    return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  s3::ObjectsPage page;
  for (auto it = objects_.upper_bound({bucket, token}); it != objects_.end() && it->first.first == bucket; ++it) {
    if (!it->first.second.starts_with(prefix)) continue;
    if (static_cast<int>(page.objects.size()) == options_.objects_page_size) {
      page.truncated = true;
      page.next_token = page.objects.back().key;
      break;
    }
    page.objects.push_back({it->first.second, it->second.etag, it->second.data.size(), it->second.storage_class});
  }
  return page;
}

S3Result<uint64_t> MemoryObjectStore::get_object(const std::string& bucket, const std::string& key, uint64_t offset,
                                                 uint64_t length, const ByteSink& sink) {
  std::string slice;
  {
    std::lock_guard lock(mutex_);
    if (auto fault = enter("get_object")) return std::unexpected(*fault);
    auto it = objects_.find({bucket, key});
    if (it == objects_.end()) return std::unexpected(error(404, "NoSuchKey", "The specified key does not exist."));
    if (!it->second.storage_class.empty() && !it->second.restore.starts_with("ongoing-request=\"false\"")) {
      return std::unexpected(error(403, "InvalidObjectState", "The operation is not valid for the object's storage class"));
    }
    if (length == 0) return uint64_t{0};
    if (offset >= it->second.data.size()) {
      return std::unexpected(error(416, "InvalidRange", "The requested range is not satisfiable"));
    }
    slice = it->second.data.substr(offset, length);
    get_ranges_.push_back(std::to_string(offset) + "+" + std::to_string(length));
    if (corrupt_at_ && *corrupt_at_ >= offset && *corrupt_at_ - offset < slice.size()) {
      slice[*corrupt_at_ - offset] ^= 0x20;
      corrupt_at_.reset();
    }
  }
  int now = ++gets_in_flight_;
  for (int most = most_gets_at_once_; now > most && !most_gets_at_once_.compare_exchange_weak(most, now);) {
  }
  std::this_thread::sleep_for(get_latency_);  // a server's round trip, outside the lock
  bool taken = sink(std::as_bytes(std::span(slice)));
  --gets_in_flight_;
  if (!taken) return std::unexpected(s3::local_error(s3::S3ErrorOrigin::cancelled, "download cancelled"));
  return uint64_t{slice.size()};
}

void MemoryObjectStore::corrupt_next_get(uint64_t offset) {
  std::lock_guard lock(mutex_);
  corrupt_at_ = offset;
}

std::vector<std::string> MemoryObjectStore::get_ranges() const {
  std::lock_guard lock(mutex_);
  return get_ranges_;
}

void MemoryObjectStore::inject(const std::string& operation, s3::S3Error fault, int times, int after) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < after; ++i) faults_[operation].push_back(std::nullopt);
  for (int i = 0; i < times; ++i) faults_[operation].push_back(fault);
}

int MemoryObjectStore::calls(const std::string& operation) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

std::optional<std::string> MemoryObjectStore::object_data(const std::string& bucket, const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find({bucket, key});
  if (it == objects_.end()) return std::nullopt;
  return it->second.data;
}

void MemoryObjectStore::set_object(const std::string& bucket, const std::string& key, std::string data,
                                   std::string etag) {
  std::lock_guard lock(mutex_);
  if (etag.empty()) etag = to_hex(md5_of(data));
  buckets_.insert(bucket);
  objects_[{bucket, key}] = {std::move(data), std::move(etag)};
}

std::string MemoryObjectStore::etag_of(const std::string& data) const {
  std::string md5 = to_hex(md5_of(data));
  return etag_is_md5_under(options_.encryption) ? md5 : md5_hex("encrypted " + md5);  // not the MD5
}

S3Result<std::optional<std::string>> MemoryObjectStore::bucket_encryption(const std::string& bucket) {
  std::lock_guard lock(mutex_);
  if (auto fault = enter("bucket_encryption")) return std::unexpected(*fault);
  if (!buckets_.contains(bucket)) return std::unexpected(error(404, "NoSuchBucket", "The specified bucket does not exist"));
  if (options_.encryption.empty() || options_.encryption == "SSE-C") return std::optional<std::string>{};
  return std::optional(options_.encryption);  // a store that encrypts does so by the bucket's default
}

S3Status MemoryObjectStore::restore_object(const std::string& bucket, const std::string& key, int days,
                                          const std::string& tier) {
  (void)days;
  (void)tier;
  std::lock_guard lock(mutex_);
  if (auto fault = enter("restore_object")) return std::unexpected(*fault);
  auto it = objects_.find({bucket, key});
  if (it == objects_.end()) return std::unexpected(error(404, "NoSuchKey", "The specified key does not exist."));
  if (it->second.storage_class.empty()) {
    return std::unexpected(error(403, "InvalidObjectState", "Restore is not allowed for the object's current storage class"));
  }
  if (it->second.restore.empty()) it->second.restore = "ongoing-request=\"true\"";
  return {};
}

void MemoryObjectStore::archive_object(const std::string& bucket, const std::string& key, std::string storage_class) {
  std::lock_guard lock(mutex_);
  objects_.at({bucket, key}).storage_class = std::move(storage_class);
}

void MemoryObjectStore::finish_restores() {
  std::lock_guard lock(mutex_);
  for (auto& [where, object] : objects_) {
    if (object.restore == "ongoing-request=\"true\"") {
      object.restore = "ongoing-request=\"false\", expiry-date=\"Fri, 23 Dec 2026 00:00:00 GMT\"";
    }
  }
}

size_t MemoryObjectStore::uploads_in_progress() const {
  std::lock_guard lock(mutex_);
  return uploads_.size();
}

}  // namespace rawbackup::testing

namespace rawbackup::testing {

void MemoryObjectStore::force_etag(std::string etag) {
  std::lock_guard lock(mutex_);
  forced_etag_ = std::move(etag);
}

}  // namespace rawbackup::testing
