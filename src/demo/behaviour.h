// The latent behaviour types of demo customers and the parameters that drive each one.
//
// Every customer belongs to exactly one Behaviour (written to data/truth.csv). The type
// fixes when the customer is active, how often and how much they buy, what, where, how
// they react to e-mail and how happy they are. PlanCustomer draws the few numbers that
// must be known before generation (the purchase count fixes order ids), from the
// customer's own kPlan stream, so planning and generation agree.
#ifndef SEGMENTA_DEMO_BEHAVIOUR_H_
#define SEGMENTA_DEMO_BEHAVIOUR_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "demo/tables.h"

namespace segmenta::demo_internal {

enum class Behaviour : uint8_t {
  kChampion,        // frequent, high value, bought recently
  kLoyalRegular,    // steady monthly-ish buyer, mid value
  kBargainHunter,   // campaign-driven, low order value, marketplace
  kHolidayShopper,  // buys mostly between Nov 15 and Dec 31
  kNewCustomer,     // first purchase within the last ~60 days
  kLapsed,          // used to buy; nothing in the last ~9 months
  kBrowser,         // visits, carts, e-mails; never buys
};
inline constexpr int kBehaviourCount = 7;

std::string_view BehaviourName(Behaviour behaviour);

struct BehaviourProfile {
  double share;                // fraction of all customers
  double purchases_per_month;  // while active
  double aov_median;           // median order value in EUR
  double aov_sigma;            // log-normal spread of order values
  double holiday_weight;       // daily purchase intensity in Nov 15–Dec 31, relative to 1
  double sale_weight;          // daily purchase intensity during seasonal sales
  double campaign_share;       // fraction of purchases attributed to a campaign
  double refund_rate;          // chance that a purchase is refunded
  std::array<double, kCategoryCount> category_weights;
  std::array<double, kShopChannelCount> channel_weights;  // web, app, store, marketplace
  double visits_per_month;  // browsing visits that do not end in a purchase
  double cart_rate;         // chance a browsing visit adds to cart (then abandons)
  double opt_in_rate;       // chance of marketing_opt_in = yes
  double email_month_rate;  // chance of a newsletter in a given month (opted in)
  double open_rate;         // chance an e-mail is opened
  double click_rate;        // chance an opened e-mail is clicked
  double support_per_year;  // support contacts per active year
  double feedback_rate;     // chance of a feedback row after a purchase
  double nps_mean;          // mean feedback score, 0..10
  double age_mean;          // mean age in years
  int income_shift;         // shifts the income band distribution (-2..+2)
};

const BehaviourProfile& ProfileOf(Behaviour behaviour);

// What must be known about a customer before its rows are generated.
struct CustomerPlan {
  Behaviour behaviour = Behaviour::kBrowser;
  int first_day = 0;  // first active day in the window (0 = 2024-11-01)
  int last_day = 0;   // last active day, inclusive
  int purchases = 0;  // purchase rows (= orders) this customer will have
};

CustomerPlan PlanCustomer(uint64_t seed, int64_t customer_idx);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_BEHAVIOUR_H_
