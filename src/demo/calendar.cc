#include "demo/calendar.h"

#include <cstring>

namespace segmenta::demo_internal {
namespace {

// Seasonal sales, in campaign-id order (ids 1..kSaleNames.size()).
constexpr std::array<std::string_view, 6> kSaleNames = {"black_friday", "christmas_gifts",
                                                        "winter_sale",  "spring_sale",
                                                        "summer_sale",  "back_to_school"};

enum SaleIdx : CampaignId {
  kBlackFriday = 1,
  kChristmasGifts,
  kWinterSale,
  kSpringSale,
  kSummerSale,
  kBackToSchool,
};

char* PutTwoDigits(char* out, int value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return out + 2;
}

bool InRange(const CivilDate& date, int month_lo, int day_lo, int month_hi, int day_hi) {
  const int key = date.month * 100 + date.day;
  return key >= month_lo * 100 + day_lo && key <= month_hi * 100 + day_hi;
}

}  // namespace

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  CivilDate date;
  date.day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  date.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  date.year = static_cast<int>(year_of_era + era * 400 + (date.month <= 2 ? 1 : 0));
  return date;
}

char* PutCivilDate(char* out, const CivilDate& date) {
  out = PutTwoDigits(out, date.year / 100);
  out = PutTwoDigits(out, date.year % 100);
  *out++ = '-';
  out = PutTwoDigits(out, date.month);
  *out++ = '-';
  return PutTwoDigits(out, date.day);
}

Calendar::Calendar() {
  campaign_names_.emplace_back();  // id 0: no campaign
  for (std::string_view name : kSaleNames) campaign_names_.emplace_back(name);
  BuildDays();
}

void Calendar::BuildDays() {
  int prev_month = -1;
  for (int day = 0; day < kWindowDays; ++day) {
    const CivilDate date = CivilFromDays(kWindowStartDays + day);
    PutCivilDate(day_text_[day].data(), date);
    holiday_[day] = InRange(date, 11, 15, 12, 31);
    sale_[day] = SaleFor(date);
    if (date.month != prev_month) {
      prev_month = date.month;
      month_starts_.push_back(day);
      std::string name = "newsletter_0000_00";
      PutTwoDigits(name.data() + 11, date.year / 100);
      PutTwoDigits(name.data() + 13, date.year % 100);
      PutTwoDigits(name.data() + 16, date.month);
      campaign_names_.push_back(std::move(name));
    }
    month_of_[day] = static_cast<int>(month_starts_.size()) - 1;
    newsletter_[day] = static_cast<CampaignId>(campaign_names_.size() - 1);
  }
  month_starts_.push_back(kWindowDays);
}

CampaignId Calendar::SaleFor(const CivilDate& date) const {
  if (InRange(date, 11, 22, 11, 30)) return kBlackFriday;
  if (InRange(date, 12, 1, 12, 24)) return kChristmasGifts;
  if (InRange(date, 12, 26, 12, 31) || InRange(date, 1, 1, 1, 15)) return kWinterSale;
  if (InRange(date, 3, 15, 4, 15)) return kSpringSale;
  if (InRange(date, 7, 1, 7, 31)) return kSummerSale;
  if (InRange(date, 8, 25, 9, 10)) return kBackToSchool;
  return 0;
}

char* Calendar::PutTimestamp(char* out, int64_t ts) const {
  const int day = DayOf(ts);
  std::memcpy(out, day_text_[day].data(), 10);
  out += 10;
  int64_t second_of_day = ts - day * kSecondsPerDay;
  *out++ = ' ';
  out = PutTwoDigits(out, static_cast<int>(second_of_day / 3600));
  *out++ = ':';
  out = PutTwoDigits(out, static_cast<int>(second_of_day / 60 % 60));
  *out++ = ':';
  return PutTwoDigits(out, static_cast<int>(second_of_day % 60));
}

char* Calendar::PutWindowDay(char* out, int64_t day) {
  return PutCivilDate(out, CivilFromDays(kWindowStartDays + day));
}

}  // namespace segmenta::demo_internal
