// libFuzzer target: the YAML config loader. Any input must give a Config or a UsageError
// (one line naming the file); any other exception, crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    rawbackup::Config config = rawbackup::parse_config(text, "/fuzz/config.yaml");
    (void)config.part_size();
  } catch (const rawbackup::UsageError& e) {
    std::string message = e.what();
    if (message.empty() || message.find('\n') != std::string::npos) __builtin_trap();  // one line
  }
  return 0;
}
