// API tokens in the api_tokens table: the SHA-256 of each secret, never the secret.
#include "segmenta/tokens.h"

#include "core/crypto.h"
#include "store/database.h"

namespace segmenta {
namespace {

constexpr const char* kColumns =
    "token_id, role, coalesce(name, ''), strftime(created_at, '%Y-%m-%d %H:%M:%S'), "
    "coalesce(strftime(expires_at, '%Y-%m-%d %H:%M:%S'), ''), "
    "coalesce(strftime(revoked_at, '%Y-%m-%d %H:%M:%S'), ''), "
    "coalesce(CAST(epoch(expires_at) AS BIGINT), 0), hash";

Result<TokenInfo> InfoOf(const std::vector<store::Value>& row) {
  TokenInfo info;
  info.token_id = store::ToText(row[0]);
  SEG_ASSIGN_OR_RETURN(info.role, ParseRole(store::ToText(row[1])));
  info.name = store::ToText(row[2]);
  info.created_at = store::ToText(row[3]);
  info.expires_at = store::ToText(row[4]);
  info.revoked_at = store::ToText(row[5]);
  info.expires_epoch = static_cast<int64_t>(store::ToDouble(row[6]));
  return info;
}

Result<std::vector<StoredToken>> Select(Workspace& workspace, const std::string& where,
                                        const std::vector<store::Value>& params) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(std::string("SELECT ") + kColumns + " FROM api_tokens " + where +
                                       " ORDER BY created_at, token_id",
                                   params));
  std::vector<StoredToken> tokens;
  for (const auto& row : rows.rows) {
    SEG_ASSIGN_OR_RETURN(TokenInfo info, InfoOf(row));
    tokens.push_back({store::ToText(row[7]), std::move(info)});
  }
  return tokens;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kAnalyst:
      return "analyst";
    case Role::kViewer:
      break;
  }
  return "viewer";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kViewer, Role::kAnalyst, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return Status::InvalidArgument("unknown role '" + std::string(name) +
                                 "'; use admin, analyst or viewer");
}

std::string HashToken(std::string_view secret) { return Sha256Hex(secret); }

nlohmann::json ToJson(const TokenInfo& token) {
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json() : nlohmann::json(text);
  };
  return {{"token_id", token.token_id},
          {"role", RoleName(token.role)},
          {"name", token.name},
          {"created_at", token.created_at},
          {"expires_at", text_or_null(token.expires_at)},
          {"revoked_at", text_or_null(token.revoked_at)}};
}

Result<NewToken> CreateToken(Workspace& workspace, Role role, const std::string& name,
                             int expires_days, const std::string& actor) {
  if (name.size() > 100) return Status::InvalidArgument("a token name has at most 100 characters");
  NewToken made;
  made.secret = "sgm_" + RandomHex(32);
  std::string hash = HashToken(made.secret);
  std::string id = hash.substr(0, 12);
  store::Connection& conn = workspace.connection();
  SEG_RETURN_IF_ERROR(store::InTransaction(conn, [&]() -> Status {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO api_tokens (hash, role, created_at, token_id, name, expires_at) VALUES "
        "($1, $2, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), $3, $4, CASE WHEN $5 > 0 THEN "
        "CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP) + to_days(CAST($5 AS INTEGER)) END)",
        {hash, std::string(RoleName(role)), id, name, int64_t{expires_days}}));
    return AppendAudit(workspace, actor, "token create", "token " + id,
                       "role " + std::string(RoleName(role)));
  }));
  SEG_ASSIGN_OR_RETURN(std::vector<StoredToken> stored,
                       Select(workspace, "WHERE token_id = $1", {id}));
  if (stored.empty()) return Status::Internal("the new token was not stored");
  made.info = stored[0].info;
  return made;
}

Result<std::vector<TokenInfo>> ListTokens(Workspace& workspace) {
  SEG_ASSIGN_OR_RETURN(std::vector<StoredToken> stored, Select(workspace, "", {}));
  std::vector<TokenInfo> tokens;
  tokens.reserve(stored.size());
  for (StoredToken& token : stored) tokens.push_back(std::move(token.info));
  return tokens;
}

Result<TokenInfo> RevokeToken(Workspace& workspace, const std::string& token_id,
                              const std::string& actor) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(std::vector<StoredToken> stored,
                       Select(workspace, "WHERE token_id = $1", {token_id}));
  if (stored.empty()) {
    return Status::NotFound("no token '" + token_id + "'; `segmenta token list` shows the ids");
  }
  SEG_RETURN_IF_ERROR(store::InTransaction(conn, [&]() -> Status {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "UPDATE api_tokens SET revoked_at = CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP) "
        "WHERE token_id = $1 AND revoked_at IS NULL",
        {token_id}));
    return AppendAudit(workspace, actor, "token revoke", "token " + token_id, "");
  }));
  SEG_ASSIGN_OR_RETURN(stored, Select(workspace, "WHERE token_id = $1", {token_id}));
  return stored[0].info;
}

Result<std::vector<StoredToken>> LoadTokens(Workspace& workspace) {
  return Select(workspace, "", {});
}

}  // namespace segmenta
