// SHA-256 and HMAC-SHA256 (OpenSSL), for request signing and payload hashes.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rawbackup {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

}  // namespace rawbackup
