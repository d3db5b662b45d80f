// The demo's marketing spend (data/spend.csv): what each campaign of the calendar cost,
// per channel and target segment, scaled with the number of customers. Deterministic.
#ifndef SEGMENTA_DEMO_SPEND_H_
#define SEGMENTA_DEMO_SPEND_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "demo/calendar.h"

namespace segmenta::demo_internal {

inline constexpr std::string_view kSpendHeader = "campaign,channel,segment,period,cost\n";

// spend.csv's rows (without the header): every sale on search and social ads aimed at one
// segment, each month's newsletter to "audiences/Email fans", and each month's
// prospecting ads counted against "journey/new".
std::string SpendRows(const Calendar& calendar, int64_t customers);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_SPEND_H_
