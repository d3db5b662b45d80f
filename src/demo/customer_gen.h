// One customers.csv row: demographic, geographic and psychographic attributes that
// lean with the customer's behaviour type (champions earn more, bargain hunters are
// younger and "budget_conscious", ...). Some attributes are left empty on purpose.
#ifndef SEGMENTA_DEMO_CUSTOMER_GEN_H_
#define SEGMENTA_DEMO_CUSTOMER_GEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "demo/behaviour.h"
#include "demo/rng.h"

namespace segmenta::demo_internal {

inline constexpr std::string_view kCustomersHeader =
    "customer_id,email,age,gender,income_band,education,occupation,country,region,city,"
    "interests,lifestyle,marketing_opt_in,signup_date,phone\n";

// Column positions in kCustomersHeader that the dirty-row injector edits.
inline constexpr int kCustomerIdColumn = 0;
inline constexpr int kEmailColumn = 1;
inline constexpr int kCountryColumn = 7;
inline constexpr int kRegionColumn = 8;
inline constexpr int kCityColumn = 9;

// The attributes the event generator needs.
struct CustomerFacts {
  int signup_day = 0;   // relative to the window start; negative = before the window
  bool opt_in = false;  // marketing_opt_in = yes
};

// Appends one line (ending in '\n') for customer number `id_number` to `out`. The phone
// number is drawn from `extra` (RngStream::kExtra), every other field from `rng`.
CustomerFacts AppendCustomerLine(std::string& out, const CustomerPlan& plan, int64_t id_number,
                                 Rng& rng, Rng& extra);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_CUSTOMER_GEN_H_
