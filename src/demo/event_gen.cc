#include "demo/event_gen.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "demo/format.h"
#include "demo/tables.h"

namespace segmenta::demo_internal {
namespace {

constexpr std::array<std::string_view, 11> kEventTypeNames = {
    "purchase",    "refund",          "visit",    "cart_add", "cart_abandon", "email_sent",
    "email_open",  "email_click",     "support_contact", "feedback", "csat"};

// Relative activity by hour of day for online events: low at night, peak in the evening.
constexpr double kOnlineHours[24] = {1.2, 0.6, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4, 5,
                                     6,   5,   5,   5,   5,   6,   7, 8, 9, 8, 5, 2.5};
// Shop and call-centre hours: 08:00–20:59.
constexpr double kOfficeHours[24] = {0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 5,
                                     5, 4, 4, 4, 5, 5, 6, 5, 3, 0, 0, 0};

// Order value multiplier per category (electronics cost more than books).
constexpr std::array<double, kCategoryCount> kCategoryPrice = {1.7, 1.0,  1.25, 0.6,
                                                               1.0, 0.45, 0.7,  0.9};

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;

class HistoryBuilder {
 public:
  HistoryBuilder(const Calendar& calendar, const CustomerPlan& plan, const CustomerFacts& facts,
                 Rng& rng, Rng& extra, std::vector<Event>& events)
      : calendar_(calendar),
        plan_(plan),
        profile_(ProfileOf(plan.behaviour)),
        facts_(facts),
        rng_(rng),
        extra_(extra),
        events_(events) {}

  void AddPurchases(int64_t first_order_no);
  void AddBrowsing();
  void AddEmails();
  void AddSupport();

 private:
  void Push(Event event);
  int64_t TimeOnDay(int day, const double (&hour_weights)[24]);
  int64_t Seconds(int64_t lo, int64_t hi) { return rng_.UniformInt(lo, hi); }
  int DrawActiveDay() { return static_cast<int>(rng_.UniformInt(plan_.first_day, plan_.last_day)); }
  int DrawPurchaseDay(int purchase_idx);
  int64_t DrawAmountCents(int day, int category, bool with_campaign);
  Event MakePurchase(int day);
  void AddPurchaseCompanions(const Event& purchase);
  void AddFeedback(int64_t ts, int8_t channel, double nps_shift);
  void AddCsat(const Event& contact);
  int8_t DrawOnlineChannel();

  const Calendar& calendar_;
  const CustomerPlan& plan_;
  const BehaviourProfile& profile_;
  const CustomerFacts& facts_;
  Rng& rng_;
  Rng& extra_;
  std::vector<Event>& events_;
  uint16_t next_seq_ = 0;
};

void HistoryBuilder::Push(Event event) {
  if (event.ts < 0 || event.ts > kWindowEndTs) return;
  event.seq = next_seq_++;
  events_.push_back(event);
}

int64_t HistoryBuilder::TimeOnDay(int day, const double (&hour_weights)[24]) {
  const int hour = rng_.Pick(hour_weights);
  return day * kSecondsPerDay + hour * kHour + Seconds(0, kHour - 1);
}

// Days are drawn with weights: busier in the holiday window and during sales.
int HistoryBuilder::DrawPurchaseDay(int purchase_idx) {
  if (purchase_idx == 0) {
    if (plan_.behaviour == Behaviour::kChampion) {
      return static_cast<int>(
          rng_.UniformInt(std::max(plan_.first_day, plan_.last_day - 29), plan_.last_day));
    }
    if (plan_.behaviour == Behaviour::kNewCustomer) return plan_.first_day;
    if (plan_.behaviour == Behaviour::kLapsed) return plan_.last_day;
  }
  const double max_weight = profile_.holiday_weight * profile_.sale_weight;
  for (int attempt = 0; attempt < 64; ++attempt) {
    const int day = DrawActiveDay();
    const double weight = (calendar_.IsHoliday(day) ? profile_.holiday_weight : 1.0) *
                          (calendar_.SaleOn(day) != 0 ? profile_.sale_weight : 1.0);
    if (rng_.Uniform() * max_weight < weight) return day;
  }
  return DrawActiveDay();
}

int64_t HistoryBuilder::DrawAmountCents(int day, int category, bool with_campaign) {
  double amount =
      rng_.LogNormal(profile_.aov_median, profile_.aov_sigma) * kCategoryPrice[category];
  if (calendar_.IsHoliday(day)) amount *= 1.25;
  if (with_campaign) amount *= 0.85;
  const int64_t cents = std::max<int64_t>(199, std::llround(amount * 100));
  return rng_.Bernoulli(0.4) ? cents / 100 * 100 + 99 : cents;
}

Event HistoryBuilder::MakePurchase(int day) {
  Event purchase;
  purchase.type = EventType::kPurchase;
  purchase.category = static_cast<int8_t>(rng_.Pick(profile_.category_weights));
  purchase.channel = static_cast<int8_t>(rng_.Pick(profile_.channel_weights));
  purchase.ts = TimeOnDay(day, purchase.channel == kStore ? kOfficeHours : kOnlineHours);
  const bool with_campaign = rng_.Bernoulli(profile_.campaign_share);
  if (with_campaign) {
    const CampaignId sale = calendar_.SaleOn(day);
    purchase.campaign = sale != 0 ? sale : calendar_.NewsletterOn(day);
  }
  purchase.amount_cents = DrawAmountCents(day, purchase.category, with_campaign);
  return purchase;
}

void HistoryBuilder::AddPurchases(int64_t first_order_no) {
  std::vector<Event> purchases;
  purchases.reserve(static_cast<size_t>(plan_.purchases));
  for (int purchase_idx = 0; purchase_idx < plan_.purchases; ++purchase_idx) {
    purchases.push_back(MakePurchase(DrawPurchaseDay(purchase_idx)));
  }
  // Order numbers follow time, so sort before numbering.
  std::sort(purchases.begin(), purchases.end(),
            [](const Event& lhs, const Event& rhs) { return lhs.ts < rhs.ts; });
  for (int purchase_idx = 0; purchase_idx < plan_.purchases; ++purchase_idx) {
    Event& purchase = purchases[purchase_idx];
    purchase.order_no = first_order_no + purchase_idx;
    Push(purchase);
    AddPurchaseCompanions(purchase);
  }
}

// The visit and cart_add that lead to an online order, a rare refund, some feedback.
void HistoryBuilder::AddPurchaseCompanions(const Event& purchase) {
  if (purchase.channel != kStore) {
    Event lead = purchase;
    lead.amount_cents = 0;
    lead.order_no = 0;
    if (rng_.Bernoulli(0.55)) {
      lead.type = EventType::kVisit;
      lead.ts = purchase.ts - Seconds(5 * kMinute, 40 * kMinute);
      Push(lead);
    }
    if (rng_.Bernoulli(0.6)) {
      lead.type = EventType::kCartAdd;
      lead.ts = purchase.ts - Seconds(30, 5 * kMinute);
      Push(lead);
    }
  }
  if (rng_.Bernoulli(profile_.refund_rate)) {
    Event refund = purchase;
    refund.type = EventType::kRefund;
    refund.ts = purchase.ts + Seconds(2 * kSecondsPerDay, 30 * kSecondsPerDay);
    const bool full = rng_.Bernoulli(0.7);
    refund.amount_cents =
        full ? -purchase.amount_cents
             : -std::max<int64_t>(1, std::llround(purchase.amount_cents * rng_.Uniform(0.2, 0.9)));
    Push(refund);
  }
  if (rng_.Bernoulli(profile_.feedback_rate)) {
    AddFeedback(purchase.ts + Seconds(kSecondsPerDay, 7 * kSecondsPerDay), purchase.channel, 0);
  }
}

// Half the support contacts get a 1..5 survey answer within two days.
void HistoryBuilder::AddCsat(const Event& contact) {
  if (!extra_.Bernoulli(0.5)) return;
  Event csat;
  csat.ts = contact.ts + extra_.UniformInt(kHour, 2 * kSecondsPerDay);
  csat.type = EventType::kCsat;
  csat.channel = contact.channel;
  const double score = std::round(extra_.Normal(3.6 + 0.3 * (profile_.nps_mean - 7), 1.0));
  csat.score = static_cast<int8_t>(std::clamp(score, 1.0, 5.0));
  Push(csat);
}

void HistoryBuilder::AddFeedback(int64_t ts, int8_t channel, double nps_shift) {
  Event feedback;
  feedback.ts = ts;
  feedback.type = EventType::kFeedback;
  feedback.channel = channel;
  const double score = std::round(rng_.Normal(profile_.nps_mean + nps_shift, 1.5));
  feedback.score = static_cast<int8_t>(std::clamp(score, 0.0, 10.0));
  Push(feedback);
}

int8_t HistoryBuilder::DrawOnlineChannel() {
  std::array<double, kShopChannelCount> weights = profile_.channel_weights;
  weights[kStore] = 0;
  return static_cast<int8_t>(rng_.Pick(weights));
}

// Visits that end without an order; some add to cart and abandon it.
void HistoryBuilder::AddBrowsing() {
  const double months = (plan_.last_day - plan_.first_day + 1) / 30.44;
  const int64_t visits = rng_.Poisson(profile_.visits_per_month * months);
  for (int64_t visit_idx = 0; visit_idx < visits; ++visit_idx) {
    Event visit;
    visit.type = EventType::kVisit;
    visit.ts = TimeOnDay(DrawActiveDay(), kOnlineHours);
    visit.channel = DrawOnlineChannel();
    visit.category = static_cast<int8_t>(rng_.Pick(profile_.category_weights));
    Push(visit);
    if (!rng_.Bernoulli(profile_.cart_rate)) continue;
    Event cart = visit;
    cart.type = EventType::kCartAdd;
    cart.ts += Seconds(kMinute, 15 * kMinute);
    Push(cart);
    if (!rng_.Bernoulli(0.85)) continue;
    cart.type = EventType::kCartAbandon;
    cart.ts += Seconds(20 * kMinute, 3 * kHour);
    Push(cart);
  }
}

// Newsletters (or the running sale's mailing) to opted-in customers, with opens and clicks.
void HistoryBuilder::AddEmails() {
  if (!facts_.opt_in) return;
  const int start_day = std::max(0, facts_.signup_day);
  for (int month_idx = calendar_.MonthOf(start_day); month_idx < calendar_.MonthCount();
       ++month_idx) {
    if (!rng_.Bernoulli(profile_.email_month_rate)) continue;
    const int day =
        static_cast<int>(rng_.UniformInt(std::max(start_day, calendar_.MonthStart(month_idx)),
                                         calendar_.MonthStart(month_idx + 1) - 1));
    Event email;
    email.type = EventType::kEmailSent;
    email.ts = day * kSecondsPerDay + Seconds(7 * kHour, 11 * kHour);
    email.channel = kEmail;
    const CampaignId sale = calendar_.SaleOn(day);
    email.campaign = sale != 0 ? sale : calendar_.NewsletterOn(day);
    Push(email);
    const bool gone = day > plan_.last_day && plan_.behaviour == Behaviour::kLapsed;
    if (!rng_.Bernoulli(profile_.open_rate * (gone ? 0.25 : 1.0))) continue;
    email.type = EventType::kEmailOpen;
    email.ts += Seconds(10 * kMinute, 36 * kHour);
    Push(email);
    if (!rng_.Bernoulli(profile_.click_rate)) continue;
    email.type = EventType::kEmailClick;
    email.ts += Seconds(5, 30 * kMinute);
    Push(email);
  }
}

void HistoryBuilder::AddSupport() {
  const double years = (plan_.last_day - plan_.first_day + 1) / 365.0;
  const int64_t contacts = rng_.Poisson(profile_.support_per_year * years);
  constexpr double kSupportChannels[] = {2, 3, 1};  // phone, chat, email
  constexpr Channel kSupportChannelIds[] = {kPhone, kChat, kEmail};
  for (int64_t contact_idx = 0; contact_idx < contacts; ++contact_idx) {
    Event contact;
    contact.type = EventType::kSupportContact;
    contact.ts = TimeOnDay(DrawActiveDay(), kOfficeHours);
    contact.channel = kSupportChannelIds[rng_.Pick(kSupportChannels)];
    Push(contact);
    AddCsat(contact);
    if (rng_.Bernoulli(0.4)) {
      AddFeedback(contact.ts + Seconds(kSecondsPerDay, 3 * kSecondsPerDay), kEmail, -1.5);
    }
  }
}

char* PutSmallField(char* out, int8_t value_idx, std::span<const std::string_view> names) {
  if (value_idx >= 0) out = PutText(out, names[value_idx]);
  *out++ = ',';
  return out;
}

}  // namespace

std::string_view EventTypeName(EventType type) { return kEventTypeNames[static_cast<int>(type)]; }

void GenerateEvents(const Calendar& calendar, const CustomerPlan& plan, const CustomerFacts& facts,
                    int64_t first_order_no, Rng& rng, Rng& extra, std::vector<Event>& events) {
  events.clear();
  HistoryBuilder builder(calendar, plan, facts, rng, extra, events);
  builder.AddPurchases(first_order_no);
  builder.AddBrowsing();
  builder.AddEmails();
  builder.AddSupport();
  std::sort(events.begin(), events.end(), [](const Event& lhs, const Event& rhs) {
    return lhs.ts != rhs.ts ? lhs.ts < rhs.ts : lhs.seq < rhs.seq;
  });
}

char* PutEventLine(char* out, const Calendar& calendar, std::string_view customer_id,
                   const Event& event) {
  out = PutText(out, customer_id);
  *out++ = ',';
  out = calendar.PutTimestamp(out, event.ts);
  *out++ = ',';
  out = PutText(out, EventTypeName(event.type));
  *out++ = ',';
  if (event.type == EventType::kPurchase || event.type == EventType::kRefund) {
    out = PutCents(out, event.amount_cents);
  }
  *out++ = ',';
  if (event.order_no > 0) out = PutOrderId(out, event.order_no);
  *out++ = ',';
  out = PutSmallField(out, event.channel, kChannels);
  out = PutSmallField(out, event.category, kCategories);
  if (event.campaign != 0) out = PutText(out, calendar.CampaignName(event.campaign));
  *out++ = ',';
  if (event.score >= 0) out = PutInt(out, event.score);
  *out++ = '\n';
  return out;
}

}  // namespace segmenta::demo_internal
