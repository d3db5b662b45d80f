// Hashes and random secrets (OpenSSL): token hashes, erased ids, webhook signatures.
#ifndef SEGMENTA_CORE_CRYPTO_H_
#define SEGMENTA_CORE_CRYPTO_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace segmenta {

// SHA-256 of `data`, as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits (webhook signatures).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// `bytes` bytes from the operating system's cryptographic generator, as hex.
std::string RandomHex(size_t bytes);

// Compares two strings in time that does not depend on where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace segmenta

#endif  // SEGMENTA_CORE_CRYPTO_H_
