#include "demo/behaviour.h"

#include <algorithm>

#include "demo/calendar.h"
#include "demo/rng.h"

namespace segmenta::demo_internal {
namespace {

constexpr std::array<std::string_view, kBehaviourCount> kNames = {
    "champion",     "loyal_regular", "bargain_hunter", "holiday_shopper",
    "new_customer", "lapsed",        "browser"};

// Category weights: electronics, fashion, home, beauty, sports, books, grocery, toys.
// Channel weights: web, app, store, marketplace.
constexpr std::array<BehaviourProfile, kBehaviourCount> kProfiles = {{
    // champion
    {.share = 0.08,
     .purchases_per_month = 0.8,
     .aov_median = 110,
     .aov_sigma = 0.5,
     .holiday_weight = 1.8,
     .sale_weight = 1.2,
     .campaign_share = 0.2,
     .refund_rate = 0.03,
     .category_weights = {3, 3, 3, 1, 2, 1, 1, 1},
     .channel_weights = {3, 5, 2, 1},
     .visits_per_month = 0.35,
     .cart_rate = 0.3,
     .opt_in_rate = 0.8,
     .email_month_rate = 0.35,
     .open_rate = 0.6,
     .click_rate = 0.3,
     .support_per_year = 0.6,
     .feedback_rate = 0.1,
     .nps_mean = 9.0,
     .age_mean = 40,
     .income_shift = 2},
    // loyal_regular
    {.share = 0.17,
     .purchases_per_month = 0.4,
     .aov_median = 55,
     .aov_sigma = 0.45,
     .holiday_weight = 1.5,
     .sale_weight = 1.1,
     .campaign_share = 0.15,
     .refund_rate = 0.03,
     .category_weights = {1, 2, 3, 2, 1, 3, 5, 1},
     .channel_weights = {4, 2, 4, 0.5},
     .visits_per_month = 0.25,
     .cart_rate = 0.25,
     .opt_in_rate = 0.7,
     .email_month_rate = 0.25,
     .open_rate = 0.4,
     .click_rate = 0.15,
     .support_per_year = 0.4,
     .feedback_rate = 0.08,
     .nps_mean = 8.2,
     .age_mean = 46,
     .income_shift = 1},
    // bargain_hunter
    {.share = 0.15,
     .purchases_per_month = 0.42,
     .aov_median = 22,
     .aov_sigma = 0.55,
     .holiday_weight = 2.5,
     .sale_weight = 4.0,
     .campaign_share = 0.8,
     .refund_rate = 0.05,
     .category_weights = {1, 4, 1, 3, 1, 1, 1, 3},
     .channel_weights = {3, 2, 0.5, 5},
     .visits_per_month = 0.25,
     .cart_rate = 0.55,
     .opt_in_rate = 0.92,
     .email_month_rate = 0.25,
     .open_rate = 0.55,
     .click_rate = 0.45,
     .support_per_year = 0.5,
     .feedback_rate = 0.05,
     .nps_mean = 6.5,
     .age_mean = 31,
     .income_shift = -1},
    // holiday_shopper
    {.share = 0.12,
     .purchases_per_month = 0,
     .aov_median = 85,
     .aov_sigma = 0.5,
     .holiday_weight = 40,
     .sale_weight = 1,
     .campaign_share = 0.35,
     .refund_rate = 0.06,
     .category_weights = {4, 2, 2, 2, 1, 2, 0.3, 5},
     .channel_weights = {4, 2, 3, 1},
     .visits_per_month = 0.15,
     .cart_rate = 0.3,
     .opt_in_rate = 0.6,
     .email_month_rate = 0.2,
     .open_rate = 0.3,
     .click_rate = 0.1,
     .support_per_year = 0.3,
     .feedback_rate = 0.05,
     .nps_mean = 7.5,
     .age_mean = 42,
     .income_shift = 0},
    // new_customer
    {.share = 0.10,
     .purchases_per_month = 0,
     .aov_median = 45,
     .aov_sigma = 0.6,
     .holiday_weight = 1,
     .sale_weight = 1,
     .campaign_share = 0.3,
     .refund_rate = 0.02,
     .category_weights = {2, 3, 2, 2, 2, 2, 2, 2},
     .channel_weights = {3, 4, 1, 2},
     .visits_per_month = 3,
     .cart_rate = 0.4,
     .opt_in_rate = 0.75,
     .email_month_rate = 0.9,
     .open_rate = 0.5,
     .click_rate = 0.2,
     .support_per_year = 1.5,
     .feedback_rate = 0.15,
     .nps_mean = 7.8,
     .age_mean = 33,
     .income_shift = 0},
    // lapsed
    {.share = 0.18,
     .purchases_per_month = 0.35,
     .aov_median = 48,
     .aov_sigma = 0.55,
     .holiday_weight = 1.5,
     .sale_weight = 1.3,
     .campaign_share = 0.25,
     .refund_rate = 0.08,
     .category_weights = {2, 3, 2, 2, 2, 2, 2, 1},
     .channel_weights = {4, 2, 3, 1},
     .visits_per_month = 0.25,
     .cart_rate = 0.3,
     .opt_in_rate = 0.6,
     .email_month_rate = 0.2,
     .open_rate = 0.08,
     .click_rate = 0.05,
     .support_per_year = 1.2,
     .feedback_rate = 0.12,
     .nps_mean = 4.0,
     .age_mean = 45,
     .income_shift = 0},
    // browser
    {.share = 0.20,
     .purchases_per_month = 0,
     .aov_median = 0,
     .aov_sigma = 0,
     .holiday_weight = 1,
     .sale_weight = 1,
     .campaign_share = 0,
     .refund_rate = 0,
     .category_weights = {3, 4, 2, 2, 1, 1, 0.5, 1},
     .channel_weights = {5, 4, 0, 1},
     .visits_per_month = 0.35,
     .cart_rate = 0.45,
     .opt_in_rate = 0.55,
     .email_month_rate = 0.15,
     .open_rate = 0.25,
     .click_rate = 0.08,
     .support_per_year = 0.1,
     .feedback_rate = 0,
     .nps_mean = 6.0,
     .age_mean = 29,
     .income_shift = -1},
}};

Behaviour PickBehaviour(Rng& rng) {
  std::array<double, kBehaviourCount> shares{};
  for (int type_idx = 0; type_idx < kBehaviourCount; ++type_idx) {
    shares[type_idx] = kProfiles[type_idx].share;
  }
  return static_cast<Behaviour>(rng.Pick(shares));
}

constexpr int kLastDay = kWindowDays - 1;

void SetActiveSpan(CustomerPlan& plan, Rng& rng) {
  const auto span = [&](int first, int last) {
    plan.first_day = first;
    plan.last_day = last;
  };
  switch (plan.behaviour) {
    case Behaviour::kChampion:
      return span(rng.UniformInt(0, 365), kLastDay);
    case Behaviour::kLoyalRegular:
      return span(rng.UniformInt(0, 400), kLastDay - rng.UniformInt(0, 30));
    case Behaviour::kBargainHunter:
      return span(rng.UniformInt(0, 450), kLastDay - rng.UniformInt(0, 60));
    case Behaviour::kHolidayShopper:
      return span(rng.UniformInt(0, 380), kLastDay);
    case Behaviour::kNewCustomer:
      return span(kLastDay - rng.UniformInt(0, 59), kLastDay);
    case Behaviour::kLapsed: {
      const int last = kLastDay - 275 - rng.UniformInt(0, 200);
      return span(std::max<int>(0, last - rng.UniformInt(150, 420)), last);
    }
    case Behaviour::kBrowser:
      return span(rng.UniformInt(0, 600), kLastDay - rng.UniformInt(0, 45));
  }
}

// Holiday seasons (Nov 15 – Dec 31) that overlap the active span.
int HolidaySeasonsIn(const CustomerPlan& plan) {
  constexpr int kSeasonStarts[] = {14, 379};  // 2024-11-15 and 2025-11-15
  int seasons = 0;
  for (int start : kSeasonStarts) {
    if (plan.first_day <= start + 46 && plan.last_day >= start) ++seasons;
  }
  return seasons;
}

int MinimumPurchases(Behaviour behaviour) {
  switch (behaviour) {
    case Behaviour::kChampion:
      return 6;
    case Behaviour::kLoyalRegular:
      return 4;
    case Behaviour::kBargainHunter:
      return 3;
    case Behaviour::kLapsed:
      return 2;
    default:
      return 0;
  }
}

int DrawPurchases(const CustomerPlan& plan, Rng& rng) {
  switch (plan.behaviour) {
    case Behaviour::kBrowser:
      return 0;
    case Behaviour::kNewCustomer:
      return 1 + static_cast<int>(rng.Poisson(0.8));
    case Behaviour::kHolidayShopper: {
      const int seasons = std::max(1, HolidaySeasonsIn(plan));
      return seasons + static_cast<int>(rng.Poisson(1.4 * seasons));
    }
    default:
      break;
  }
  const double months = (plan.last_day - plan.first_day + 1) / 30.44;
  const double rate = ProfileOf(plan.behaviour).purchases_per_month;
  return std::max(MinimumPurchases(plan.behaviour), static_cast<int>(rng.Poisson(rate * months)));
}

}  // namespace

std::string_view BehaviourName(Behaviour behaviour) { return kNames[static_cast<int>(behaviour)]; }

const BehaviourProfile& ProfileOf(Behaviour behaviour) {
  return kProfiles[static_cast<int>(behaviour)];
}

CustomerPlan PlanCustomer(uint64_t seed, int64_t customer_idx) {
  Rng rng = Rng::ForCustomer(seed, customer_idx, RngStream::kPlan);
  CustomerPlan plan;
  plan.behaviour = PickBehaviour(rng);
  SetActiveSpan(plan, rng);
  plan.purchases = DrawPurchases(plan, rng);
  return plan;
}

}  // namespace segmenta::demo_internal
