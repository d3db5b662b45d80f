// The wire side of webhooks: URLs, the HMAC-SHA256 signature, one signed POST.
#ifndef SEGMENTA_ACTIVATE_WEBHOOK_HTTP_H_
#define SEGMENTA_ACTIVATE_WEBHOOK_HTTP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "segmenta/project.h"
#include "segmenta/status.h"

namespace segmenta::activate {

struct WebhookUrl {
  std::string origin;          // "https://host:8443" (what the HTTP client connects to)
  std::string target;          // path and query: "/hooks?x=1"
  std::string display;         // origin + path: no user-info, no query
  std::string user, password;  // user-info, percent-decoded, sent as basic auth
};
// http:// or https:// URLs; InvalidArgument otherwise (the message shows no user-info).
Result<WebhookUrl> ParseWebhookUrl(const std::string& url);

// The Segmenta-Signature header: "t=<unix seconds>,v1=<HMAC-SHA256(secret, "<t>.<body>")>".
std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body);

// What one POST came to.
struct Attempt {
  int http_status = 0;  // 0: no answer (connection error, timeout)
  std::string error;    // "" when delivered; never holds the secret
  double milliseconds = 0;

  bool delivered() const { return http_status >= 200 && http_status < 300; }
  // Worth trying again in this round: no answer, 408, 429, 5xx.
  bool retryable() const;
};

struct SignedPost {
  std::string batch_id;  // Idempotency-Key
  std::string body;      // application/json
  std::string secret;
  int timeout_seconds = 10;
};
// POSTs one batch with its headers (Content-Type, Idempotency-Key, Segmenta-Signature
// signed now, User-Agent). Redirects are not followed.
Attempt PostBatch(const WebhookUrl& url, const SignedPost& post);

}  // namespace segmenta::activate

#endif  // SEGMENTA_ACTIVATE_WEBHOOK_HTTP_H_
