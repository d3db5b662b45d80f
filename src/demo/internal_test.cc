// Unit tests of the demo generator's building blocks: calendar, formatting, PRNG, plans.
#include <gtest/gtest.h>

#include <string>

#include "demo/behaviour.h"
#include "demo/calendar.h"
#include "demo/format.h"
#include "demo/rng.h"

namespace segmenta::demo_internal {
namespace {

template <typename PutFn>
std::string Format(PutFn put) {
  char buffer[64];
  return std::string(buffer, put(buffer));
}

TEST(CalendarTest, CivilDaysRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  for (int64_t days = -800; days < 800; ++days) {
    const CivilDate date = CivilFromDays(kWindowStartDays + days);
    EXPECT_EQ(DaysFromCivil(date.year, date.month, date.day), kWindowStartDays + days);
  }
}

TEST(CalendarTest, TimestampsSpanTheFixedWindow) {
  const Calendar calendar;
  EXPECT_EQ(Format([&](char* out) { return calendar.PutTimestamp(out, 0); }),
            "2024-11-01 00:00:00");
  EXPECT_EQ(Format([&](char* out) { return calendar.PutTimestamp(out, kWindowEndTs); }),
            "2026-10-31 23:59:59");
  EXPECT_EQ(Format([](char* out) { return Calendar::PutWindowDay(out, -1); }), "2024-10-31");
}

TEST(CalendarTest, HolidaysSalesAndNewsletters) {
  const Calendar calendar;
  EXPECT_FALSE(calendar.IsHoliday(13));                                   // 2024-11-14
  EXPECT_TRUE(calendar.IsHoliday(14));                                    // 2024-11-15
  EXPECT_TRUE(calendar.IsHoliday(60));                                    // 2024-12-31
  EXPECT_FALSE(calendar.IsHoliday(61));                                   // 2025-01-01
  EXPECT_EQ(calendar.CampaignName(calendar.SaleOn(21)), "black_friday");  // 2024-11-22
  EXPECT_EQ(calendar.SaleOn(0), 0);
  EXPECT_EQ(calendar.CampaignName(calendar.NewsletterOn(0)), "newsletter_2024_11");
  EXPECT_EQ(calendar.CampaignName(calendar.NewsletterOn(kWindowDays - 1)), "newsletter_2026_10");
  EXPECT_EQ(calendar.MonthCount(), 24);
}

TEST(FormatTest, NumbersAndIds) {
  EXPECT_EQ(Format([](char* out) { return PutCents(out, 123405); }), "1234.05");
  EXPECT_EQ(Format([](char* out) { return PutCents(out, -7); }), "-0.07");
  EXPECT_EQ(Format([](char* out) { return PutCustomerId(out, 42); }), "C0000042");
  EXPECT_EQ(Format([](char* out) { return PutCustomerId(out, 12345678); }), "C12345678");
  EXPECT_EQ(Format([](char* out) { return PutOrderId(out, 1); }), "O00000001");
}

TEST(RngTest, StreamsAreReproducibleAndIndependent) {
  Rng first = Rng::ForCustomer(42, 7, RngStream::kDetail);
  Rng again = Rng::ForCustomer(42, 7, RngStream::kDetail);
  Rng other_stream = Rng::ForCustomer(42, 7, RngStream::kPlan);
  Rng other_customer = Rng::ForCustomer(42, 8, RngStream::kDetail);
  const uint64_t value = first.Next();
  EXPECT_EQ(value, again.Next());
  EXPECT_NE(value, other_stream.Next());
  EXPECT_NE(value, other_customer.Next());
  for (int draw_idx = 0; draw_idx < 1000; ++draw_idx) {
    const int64_t roll = first.UniformInt(3, 5);
    EXPECT_GE(roll, 3);
    EXPECT_LE(roll, 5);
  }
}

TEST(PlanTest, PlansAreStableAndFitTheirType) {
  for (int64_t customer_idx = 0; customer_idx < 500; ++customer_idx) {
    const CustomerPlan plan = PlanCustomer(42, customer_idx);
    EXPECT_EQ(plan.purchases, PlanCustomer(42, customer_idx).purchases);
    EXPECT_LE(0, plan.first_day);
    EXPECT_LE(plan.first_day, plan.last_day);
    EXPECT_LT(plan.last_day, kWindowDays);
    EXPECT_EQ(plan.behaviour == Behaviour::kBrowser, plan.purchases == 0);
    if (plan.behaviour == Behaviour::kNewCustomer) {
      EXPECT_GE(plan.first_day, kWindowDays - 60);
    } else if (plan.behaviour == Behaviour::kLapsed) {
      EXPECT_LE(plan.last_day, kWindowDays - 270);
    }
  }
}

}  // namespace
}  // namespace segmenta::demo_internal
