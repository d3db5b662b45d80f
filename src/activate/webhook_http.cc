#include "activate/webhook_http.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>

#include "core/crypto.h"

#ifndef SEGMENTA_VERSION
#define SEGMENTA_VERSION "0.0.0"
#endif

namespace segmenta::activate {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "p%40ss" → "p@ss"; a malformed escape is kept as written.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    int high = text[pos] == '%' && pos + 2 < text.size() ? HexValue(text[pos + 1]) : -1;
    int low = high >= 0 ? HexValue(text[pos + 2]) : -1;
    if (low < 0) {
      out += text[pos];
      continue;
    }
    out += static_cast<char>(high * 16 + low);
    pos += 2;
  }
  return out;
}

// The answer's first bytes, printable, for an error message.
std::string Snippet(const std::string& body) {
  std::string text;
  for (char c : body.substr(0, 200)) text += (c >= 32 && c < 127) ? c : ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string ClientError(httplib::Error error, int timeout_seconds) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (is the receiver up?)";
    case httplib::Error::ConnectionTimeout:
      return fmt::format("no connection within {} s (timeout_seconds)", timeout_seconds);
    case httplib::Error::Read:
      return fmt::format("no answer within {} s (timeout_seconds), or the connection broke",
                         timeout_seconds);
    case httplib::Error::Write:
      return "the connection broke while sending";
    case httplib::Error::SSLConnection:
      return "the TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "the receiver's TLS certificate could not be verified";
    default:
      return "HTTP client error: " + httplib::to_string(error);
  }
}

std::string HttpError(const httplib::Response& response) {
  std::string error = "HTTP " + std::to_string(response.status);
  if (response.status >= 300 && response.status < 400) {
    error += " (redirects are not followed: set url to the final address)";
  }
  std::string snippet = Snippet(response.body);
  return snippet.empty() ? error : error + ": " + snippet;
}

}  // namespace

Result<WebhookUrl> ParseWebhookUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("a webhook url must start with http:// or https://");
  }
  size_t start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", start);
  if (authority_end == std::string::npos) authority_end = url.size();
  std::string authority = url.substr(start, authority_end - start);
  WebhookUrl parsed;
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string user_info = authority.substr(0, at);
    size_t colon = user_info.find(':');
    parsed.user = PercentDecode(user_info.substr(0, colon));
    if (colon != std::string::npos) parsed.password = PercentDecode(user_info.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) return Status::InvalidArgument("a webhook url needs a host");
  parsed.origin = scheme + "://" + authority;
  std::string rest = url.substr(authority_end);
  rest = rest.substr(0, rest.find('#'));
  parsed.target = rest.empty() || rest[0] != '/' ? "/" + rest : rest;
  parsed.display = parsed.origin + parsed.target.substr(0, parsed.target.find('?'));
  return parsed;
}

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, t + "." + std::string(body));
}

bool Attempt::retryable() const {
  return http_status == 0 || http_status == 408 || http_status == 429 || http_status >= 500;
}

Attempt PostBatch(const WebhookUrl& url, const SignedPost& post) {
  auto started = std::chrono::steady_clock::now();
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  httplib::Client client(url.origin);
  client.set_connection_timeout(post.timeout_seconds, 0);
  client.set_read_timeout(post.timeout_seconds, 0);
  client.set_write_timeout(post.timeout_seconds, 0);
  if (!url.user.empty()) client.set_basic_auth(url.user, url.password);
  httplib::Headers headers = {
      {"Idempotency-Key", post.batch_id},
      {"Segmenta-Signature", SignatureHeader(post.secret, now, post.body)},
      {"User-Agent", std::string("segmenta/") + SEGMENTA_VERSION},
  };
  httplib::Result result = client.Post(url.target, headers, post.body, "application/json");
  Attempt attempt;
  attempt.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!result) {
    attempt.error = ClientError(result.error(), post.timeout_seconds);
    return attempt;
  }
  attempt.http_status = result->status;
  if (!attempt.delivered()) attempt.error = HttpError(*result);
  return attempt;
}

}  // namespace segmenta::activate
