#include "demo/spend.h"

#include <cmath>
#include <cstdio>

namespace segmenta::demo_internal {
namespace {

// The segment each seasonal sale is aimed at, by campaign name.
std::string_view SaleTarget(std::string_view sale) {
  if (sale == "black_friday") return "rfm/Champions";
  if (sale == "christmas_gifts") return "audiences/Holiday shoppers";
  if (sale == "winter_sale") return "audiences/Win-back";
  if (sale == "spring_sale") return "journey/new";
  if (sale == "summer_sale") return "audiences/Cart rescue";
  return "rfm/Potential Loyalists";  // back_to_school
}

std::string Day(int day) {
  char text[10];
  Calendar::PutWindowDay(text, day);
  return std::string(text, 10);
}

void AddRow(std::string& out, std::string_view campaign, std::string_view channel,
            std::string_view segment, const std::string& period, double cost) {
  char amount[32];
  std::snprintf(amount, sizeof amount, "%.2f", std::round(cost * 100) / 100);
  out.append(campaign).append(",").append(channel).append(",").append(segment);
  out.append(",").append(period).append(",").append(amount).append("\n");
}

}  // namespace

std::string SpendRows(const Calendar& calendar, int64_t customers) {
  const auto base = static_cast<double>(customers);
  std::string out;
  for (int first = 0; first < kWindowDays;) {
    const CampaignId sale = calendar.SaleOn(first);
    int last = first;
    while (last + 1 < kWindowDays && calendar.SaleOn(last + 1) == sale) ++last;
    if (sale != 0) {
      const std::string_view name = calendar.CampaignName(sale);
      const std::string period = Day(first) + ".." + Day(last);
      const double days = last - first + 1;
      AddRow(out, name, "search", SaleTarget(name), period, base * 0.05 * days);
      AddRow(out, name, "social", SaleTarget(name), period, base * 0.03 * days);
    }
    first = last + 1;
  }
  for (int month = 0; month < calendar.MonthCount(); ++month) {
    const int day = calendar.MonthStart(month);
    const std::string period = Day(day).substr(0, 7);
    AddRow(out, calendar.CampaignName(calendar.NewsletterOn(day)), "email", "audiences/Email fans",
           period, base * 0.05);
    std::string prospecting = "prospecting_" + period;
    prospecting[16] = '_';
    AddRow(out, prospecting, "ads", "journey/new", period, base * 0.2);
  }
  return out;
}

}  // namespace segmenta::demo_internal
