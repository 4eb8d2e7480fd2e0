// The headers that make S3 encrypt and place objects as configured (config ObjectWriteSettings):
// server-side encryption (SSE-S3, SSE-KMS, SSE-C) and the storage class.
#pragma once
#include <string>

#include "config/config.h"
#include "storage/s3/http.h"

namespace rawbackup::s3 {

struct ObjectHeaders {
  // PutObject and CreateMultipartUpload: x-amz-server-side-encryption (+ KMS key id, bucket
  // key) and x-amz-storage-class.
  Headers on_create;
  // SSE-C: the customer key, on every request that writes or reads the object (PUT, UploadPart,
  // HEAD, GET, CreateMultipartUpload). Secret: never logged.
  Headers customer_key;
};

// The headers for `settings`; the SSE-C key is read from its file here. Throws UsageError when
// that file cannot be read or does not hold a 256-bit key (32 bytes, or 64 hex digits).
ObjectHeaders object_headers(const ObjectWriteSettings& settings);

// The encryption a reply says the object has: x-amz-server-side-encryption ("AES256",
// "aws:kms"), "SSE-C" when it names a customer algorithm, "" when it says none.
std::string reply_encryption(const HttpResponse& response);

}  // namespace rawbackup::s3
