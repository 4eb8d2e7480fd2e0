// Streaming MD5 (OpenSSL EVP) and hex helpers.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace rawbackup {

using Md5Digest = std::array<uint8_t, 16>;

std::string to_hex(std::span<const uint8_t> bytes);

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(Md5&&) noexcept;
  Md5& operator=(Md5&&) noexcept;

  void update(std::span<const std::byte> data);
  void update(std::string_view text);
  // Returns the digest and resets the hasher for reuse.
  Md5Digest finish();

 private:
  struct CtxDeleter {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxDeleter> ctx_;
};

std::string md5_hex(std::string_view text);
// "9e107d9d…" → "nhB9nTcrtoJr2B01QqQZ1g==" (the form of a Content-MD5 header).
std::string hex_to_base64(std::string_view hex);
// The digest written as 32 hex digits; nullopt for anything else.
std::optional<Md5Digest> md5_from_hex(std::string_view hex);

}  // namespace rawbackup
