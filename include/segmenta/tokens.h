// API tokens: who may call the HTTP API, with which role.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::NewToken made,
//                        segmenta::CreateToken(ws, segmenta::Role::kAnalyst, "crm", 90, "cli"));
//   std::cout << made.secret;  // shown once: only its SHA-256 is stored
//
// Roles nest: viewers read aggregates; analysts also read members and customers and
// export; admins also run, erase, post events and manage tokens. Creating and revoking
// are written to the audit table.
#ifndef SEGMENTA_TOKENS_H_
#define SEGMENTA_TOKENS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

enum class Role { kViewer = 0, kAnalyst = 1, kAdmin = 2 };

std::string_view RoleName(Role role);
// InvalidArgument naming the three roles for anything else.
Result<Role> ParseRole(std::string_view name);

struct TokenInfo {
  std::string token_id;  // public: the first 12 hex digits of the token's hash
  Role role = Role::kViewer;
  std::string name;
  std::string created_at;  // UTC, "YYYY-MM-DD HH:MM:SS"
  std::string expires_at;  // "" = never
  std::string revoked_at;  // "" = not revoked
  // Seconds since the epoch of expires_at (0: never), for checking without parsing.
  int64_t expires_epoch = 0;
};

struct NewToken {
  TokenInfo info;
  std::string secret;  // "sgm_" + 64 hex digits; not stored anywhere
};

// `expires_days` <= 0: never expires. `actor` goes to the audit entry.
Result<NewToken> CreateToken(Workspace& workspace, Role role, const std::string& name,
                             int expires_days, const std::string& actor);
Result<std::vector<TokenInfo>> ListTokens(Workspace& workspace);
// NotFound for an unknown id; revoking twice keeps the first time.
Result<TokenInfo> RevokeToken(Workspace& workspace, const std::string& token_id,
                              const std::string& actor);

// The token's public face as JSON (token_id, role, name, created_at, expires_at and
// revoked_at, null when unset): never the secret or its hash.
nlohmann::json ToJson(const TokenInfo& token);

// The hash a token is stored under.
std::string HashToken(std::string_view secret);

// Every token by hash, for a server that checks tokens in memory.
struct StoredToken {
  std::string hash;
  TokenInfo info;
};
Result<std::vector<StoredToken>> LoadTokens(Workspace& workspace);

}  // namespace segmenta

#endif  // SEGMENTA_TOKENS_H_
