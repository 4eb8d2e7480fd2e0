// libFuzzer target: the raw-file name and S3 naming rules. Input "PREFIX\0PROJECT\0NAME".
// Checked properties (a violation traps): a raw-file name accepted for any vendor has no '/',
// is not "." or "..", and has no NUL; an accepted bucket name is 3–63 characters of [a-z0-9.-]
// starting and ending with a letter or digit; key prefixes never start with '/'.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/layout.h"
#include "model/placement.h"
#include "model/raw_file.h"
#include "storage/s3/naming.h"

namespace {

std::vector<std::string> split(const uint8_t* data, size_t size) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && parts.size() < 3) {
      parts.emplace_back();
    } else {
      parts.back() += static_cast<char>(data[i]);
    }
  }
  parts.resize(3);
  return parts;
}

bool bucket_ok(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(b.front()) && alnum(b.back());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rawbackup;
  auto parts = split(data, size);
  const std::string& name = parts[2];
  for (Vendor vendor : {Vendor::thermo, Vendor::bruker, Vendor::sciex}) {
    if (!validate_raw_file_name(vendor, name)) continue;
    if (name.find('/') != std::string::npos || name == "." || name == ".." || name.find('\0') != std::string::npos) {
      __builtin_trap();
    }
    RawFile record;
    record.id = name;
    record.vendor = vendor;
    std::string prefix = s3_key_prefix(record);
    if (!prefix.empty() && prefix.front() == '/') __builtin_trap();
  }
  if (auto bucket = s3::bucket_name(parts[0], parts[1]); bucket && !bucket_ok(*bucket)) __builtin_trap();
  return 0;
}
