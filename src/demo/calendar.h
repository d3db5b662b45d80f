// The demo's fixed two-year history window, date formatting and the campaign calendar.
//
// Time inside the generator is seconds since the window start, 2024-11-01 00:00:00; the
// window ends 2026-10-31 23:59:59 whatever today's date is, so output never depends on
// the clock. Calendar is built once and then read from any number of threads.
//
//   const Calendar calendar;
//   char* p = calendar.PutTimestamp(out, ts);  // "2025-03-04 12:34:56"
#ifndef SEGMENTA_DEMO_CALENDAR_H_
#define SEGMENTA_DEMO_CALENDAR_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace segmenta::demo_internal {

inline constexpr int kWindowDays = 730;  // 2024-11-01 .. 2026-10-31
inline constexpr int64_t kSecondsPerDay = 86400;
inline constexpr int64_t kWindowEndTs = kWindowDays * kSecondsPerDay - 1;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr int64_t DaysFromCivil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

inline constexpr int64_t kWindowStartDays = DaysFromCivil(2024, 11, 1);
static_assert(DaysFromCivil(2026, 11, 1) - kWindowStartDays == kWindowDays);

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};
CivilDate CivilFromDays(int64_t days);

// Writes "YYYY-MM-DD" (10 bytes) at `out` and returns the end.
char* PutCivilDate(char* out, const CivilDate& date);

// Campaign ids: 0 means "no campaign"; the rest index Calendar::CampaignName.
using CampaignId = int16_t;

class Calendar {
 public:
  Calendar();

  // Day index in the window (0 = 2024-11-01) of a timestamp.
  static int DayOf(int64_t ts) { return static_cast<int>(ts / kSecondsPerDay); }

  // "YYYY-MM-DD HH:MM:SS" (19 bytes) for a window timestamp; returns the end.
  char* PutTimestamp(char* out, int64_t ts) const;
  // "YYYY-MM-DD" for a day relative to the window start (may be negative).
  static char* PutWindowDay(char* out, int64_t day);

  // Nov 15 – Dec 31: the holiday shopping peak.
  bool IsHoliday(int day) const { return holiday_[day]; }
  // The seasonal sale running on `day` (black_friday, spring_sale, ...), or 0.
  CampaignId SaleOn(int day) const { return sale_[day]; }
  // The monthly newsletter of the month containing `day` ("newsletter_2026_03").
  CampaignId NewsletterOn(int day) const { return newsletter_[day]; }
  // First day index of window month `month_idx` (0 = Nov 2024), and the month count.
  int MonthStart(int month_idx) const { return month_starts_[month_idx]; }
  int MonthCount() const { return static_cast<int>(month_starts_.size()) - 1; }
  int MonthOf(int day) const { return month_of_[day]; }

  std::string_view CampaignName(CampaignId id) const { return campaign_names_[id]; }

 private:
  void BuildDays();
  CampaignId SaleFor(const CivilDate& date) const;

  std::array<std::array<char, 10>, kWindowDays> day_text_{};
  std::array<bool, kWindowDays> holiday_{};
  std::array<CampaignId, kWindowDays> sale_{};
  std::array<CampaignId, kWindowDays> newsletter_{};
  std::array<int, kWindowDays> month_of_{};
  std::vector<int> month_starts_;  // one per month plus the end sentinel
  std::vector<std::string> campaign_names_;
};

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_CALENDAR_H_
