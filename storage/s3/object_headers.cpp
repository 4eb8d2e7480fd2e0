#include "storage/s3/object_headers.h"

#include <fstream>
#include <iterator>

#include "common/result.h"
#include "integrity/md5.h"

namespace rawbackup::s3 {
namespace {

constexpr size_t sse_c_key_bytes = 32;  // AES-256

// The key's 32 bytes, written as they are or as 64 hex digits (`openssl rand 32`, `-hex 32`).
std::string read_customer_key(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError("backup.s3.sse_c_key_file: cannot read " + file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() == sse_c_key_bytes) return text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto high = md5_from_hex(text.substr(0, 32));
  auto low = md5_from_hex(text.size() == 64 ? text.substr(32) : "");
  if (!high || !low) {
    throw UsageError("backup.s3.sse_c_key_file: " + file.string() +
                     " must hold a 256-bit key: 32 bytes, or 64 hex digits (openssl rand -hex 32)");
  }
  std::string key(high->begin(), high->end());
  key.append(low->begin(), low->end());
  return key;
}

std::string base64_of(const std::string& bytes) {
  return hex_to_base64(to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
}

}  // namespace

ObjectHeaders object_headers(const ObjectWriteSettings& settings) {
  ObjectHeaders headers;
  if (!settings.sse.empty()) headers.on_create.emplace_back("x-amz-server-side-encryption", settings.sse);
  if (!settings.kms_key_id.empty()) {
    headers.on_create.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", settings.kms_key_id);
  }
  if (settings.bucket_key) headers.on_create.emplace_back("x-amz-server-side-encryption-bucket-key-enabled", "true");
  if (!settings.storage_class.empty()) headers.on_create.emplace_back("x-amz-storage-class", settings.storage_class);
  if (!settings.sse_c_key_file.empty()) {
    std::string key = read_customer_key(settings.sse_c_key_file);
    headers.customer_key = {{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
                            {"x-amz-server-side-encryption-customer-key", base64_of(key)},
                            {"x-amz-server-side-encryption-customer-key-md5", hex_to_base64(md5_hex(key))}};
  }
  return headers;
}

std::string reply_encryption(const HttpResponse& response) {
  if (response.header("x-amz-server-side-encryption-customer-algorithm")) return "SSE-C";
  return response.header("x-amz-server-side-encryption").value_or("");
}

}  // namespace rawbackup::s3
