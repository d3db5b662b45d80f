// A customer's event history (purchases, refunds, visits, carts, e-mails, support,
// feedback) over the two-year window, shaped by the customer's behaviour type.
#ifndef SEGMENTA_DEMO_EVENT_GEN_H_
#define SEGMENTA_DEMO_EVENT_GEN_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "demo/behaviour.h"
#include "demo/calendar.h"
#include "demo/customer_gen.h"
#include "demo/rng.h"

namespace segmenta::demo_internal {

inline constexpr std::string_view kEventsHeader =
    "customer_id,ts,type,amount,order_id,channel,category,campaign,score\n";

// Longest line PutEventLine can write, newline included.
inline constexpr size_t kMaxEventLine = 192;

enum class EventType : uint8_t {
  kPurchase,
  kRefund,
  kVisit,
  kCartAdd,
  kCartAbandon,
  kEmailSent,
  kEmailOpen,
  kEmailClick,
  kSupportContact,
  kFeedback,
  kCsat,  // a 1..5 satisfaction survey after a support contact
};

std::string_view EventTypeName(EventType type);

struct Event {
  int64_t ts = 0;            // seconds since the window start
  int64_t amount_cents = 0;  // purchase (> 0) and refund (< 0) only
  int64_t order_no = 0;      // 0 = no order
  EventType type = EventType::kVisit;
  int8_t channel = -1;      // kChannels index, -1 = empty
  int8_t category = -1;     // kCategories index, -1 = empty
  int8_t score = -1;        // feedback NPS 0..10, csat 1..5, -1 = empty
  CampaignId campaign = 0;  // 0 = empty
  uint16_t seq = 0;         // creation order; breaks timestamp ties
};

// Replaces `events` with the customer's history, sorted by time. Purchases get order
// numbers first_order_no, first_order_no + 1, ... in time order (plan.purchases of them).
// CSAT surveys are drawn from `extra` (RngStream::kExtra), everything else from `rng`.
void GenerateEvents(const Calendar& calendar, const CustomerPlan& plan, const CustomerFacts& facts,
                    int64_t first_order_no, Rng& rng, Rng& extra, std::vector<Event>& events);

// Writes one events.csv line, newline included, and returns the end.
char* PutEventLine(char* out, const Calendar& calendar, std::string_view customer_id,
                   const Event& event);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_EVENT_GEN_H_
