// The pieces of webhooks that need no receiver: signatures, URLs, patterns, batch ids.
#include <gtest/gtest.h>

#include "activate/webhook_http.h"
#include "core/crypto.h"
#include "activate/webhook_plan.h"
#include "segmenta/webhooks.h"

namespace segmenta::activate {
namespace {

TEST(WebhookTest, HmacMatchesRfc4231) {
  // RFC 4231, test cases 1 and 2 (HMAC-SHA-256).
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookTest, SignatureCoversTimestampAndBody) {
  std::string body = R"({"id":"x"})";
  std::string header = SignatureHeader("s3cret", 1700000000, body);
  EXPECT_EQ(header, "t=1700000000,v1=" + HmacSha256Hex("s3cret", "1700000000." + body));
  EXPECT_NE(header, SignatureHeader("s3cret", 1700000001, body));
  EXPECT_NE(header, SignatureHeader("other", 1700000000, body));
}

TEST(WebhookTest, UrlsSplitAndHideCredentials) {
  Result<WebhookUrl> url =
      ParseWebhookUrl("https://bob:p%40ss@crm.example.com:8443/hooks/seg?k=1#x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->origin, "https://crm.example.com:8443");
  EXPECT_EQ(url->target, "/hooks/seg?k=1");
  EXPECT_EQ(url->display, "https://crm.example.com:8443/hooks/seg");
  EXPECT_EQ(url->user, "bob");
  EXPECT_EQ(url->password, "p@ss");
  Result<WebhookUrl> bare = ParseWebhookUrl("http://127.0.0.1:9000");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->display, "http://127.0.0.1:9000/");
  EXPECT_FALSE(ParseWebhookUrl("ftp://x/").ok());
  EXPECT_FALSE(ParseWebhookUrl("https://user@/p").ok());
  EXPECT_EQ(DisplayUrl("https://u:secret@h/p?token=abc"), "https://h/p");
}

TEST(WebhookTest, RetriesOnlyWhatMayPass) {
  for (int status : {0, 408, 429, 500, 502, 503}) {
    EXPECT_TRUE(Attempt{status}.retryable()) << status;
  }
  for (int status : {200, 301, 400, 401, 404, 422}) {
    EXPECT_FALSE(Attempt{status}.retryable()) << status;
  }
  EXPECT_TRUE(Attempt{204}.delivered());
  EXPECT_FALSE(Attempt{301}.delivered());
}

TEST(WebhookTest, PatternsNameSegmentsOrWholeSegmentations) {
  std::vector<std::string> patterns = {"rfm/Champions", "audiences/*"};
  EXPECT_TRUE(MatchesSegment(patterns, "rfm", "Champions"));
  EXPECT_FALSE(MatchesSegment(patterns, "rfm", "At risk"));
  EXPECT_TRUE(MatchesSegment(patterns, "audiences", "Win-back"));
  EXPECT_FALSE(MatchesSegment(patterns, "audiences2", "Win-back"));
  EXPECT_FALSE(MatchesSegment(patterns, "rfm/Champions", ""));
}

TEST(WebhookTest, BatchIdsAreStableAndDistinct) {
  std::string id = BatchId("crm", 3, "2026-11-01 10:00:00", "rfm", "Champions", 2);
  EXPECT_EQ(id, BatchId("crm", 3, "2026-11-01 10:00:00", "rfm", "Champions", 2));
  EXPECT_EQ(id.size(), 34u);
  EXPECT_EQ(id.substr(32), "-2");
  EXPECT_NE(id, BatchId("ads", 3, "2026-11-01 10:00:00", "rfm", "Champions", 2));
  EXPECT_NE(id, BatchId("crm", 4, "2026-11-01 10:00:00", "rfm", "Champions", 2));
  EXPECT_NE(id, BatchId("crm", 3, "2026-11-02 10:00:00", "rfm", "Champions", 2));
  EXPECT_NE(id, BatchId("crm", 3, "2026-11-01 10:00:00", "rfm", "Loyal", 2));
  EXPECT_NE(id, BatchId("crm", 3, "2026-11-01 10:00:00", "rfm", "Champions", 1));
}

}  // namespace
}  // namespace segmenta::activate
