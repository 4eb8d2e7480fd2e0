// libFuzzer target: our two-lane MD5 (integrity/md5_lanes) against OpenSSL. Input: 2 bytes of
// part size (1–65,536), 1 byte of chunk size (1–256), 2 bytes of split offset, then the data.
// Checked (a difference traps): Md5WithParts fed in chunks gives OpenSSL's MD5 of the data and
// EtagBuilder's part MD5s; so does the work split at the offset between a copy that goes on with
// the parts (without_whole) and the original with the file's MD5 alone (drop_parts).
#include <cstddef>
#include <cstdint>
#include <span>

#include "integrity/etag.h"
#include "integrity/md5_lanes.h"

namespace {

using rawbackup::Md5WithParts;

void feed(Md5WithParts& digests, std::span<const std::byte> data, size_t chunk) {
  for (size_t at = 0; at < data.size(); at += chunk) digests.update(data.subspan(at, std::min(chunk, data.size() - at)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  if (size < 5) return 0;
  uint64_t part_size = (uint64_t{input[0]} << 8 | input[1]) + 1;
  size_t chunk = size_t{input[2]} + 1;
  size_t split = (size_t{input[3]} << 8 | input[4]);
  auto data = std::as_bytes(std::span(input + 5, size - 5));
  split = std::min(split, data.size());

  rawbackup::Md5 md5;
  md5.update(data);
  rawbackup::Md5Digest whole = md5.finish();
  rawbackup::EtagBuilder etag(part_size);
  etag.update(data);
  etag.finish();

  Md5WithParts one_pass(part_size);
  feed(one_pass, data, chunk);
  if (one_pass.finish() != whole || one_pass.part_digests() != etag.part_digests()) __builtin_trap();

  Md5WithParts lead(part_size);
  feed(lead, data.first(split), chunk);
  Md5WithParts tail = lead.without_whole();
  lead.drop_parts();
  feed(lead, data.subspan(split), chunk);
  feed(tail, data.subspan(split), chunk);
  if (lead.finish() != whole) __builtin_trap();
  tail.finish();
  if (tail.part_digests() != etag.part_digests()) __builtin_trap();
  return 0;
}
