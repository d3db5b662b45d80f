// The checks analysts run before trusting a value model: holdout purchases by
// calibration frequency, cumulative repeat purchases over time (Fader, Hardie & Lee
// 2005, figures 2–4).
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "segmenta/value.h"

namespace segmenta::value {

Result<std::vector<FrequencyBucket>> HoldoutByFrequency(const PurchaseModel& model,
                                                        const Summary& summary,
                                                        const std::vector<double>& holdout,
                                                        double holdout_length, int max_bucket,
                                                        int64_t min_customers) {
  SEG_RETURN_IF_ERROR(ValidateSummary(summary));
  if (holdout.size() != summary.size()) {
    return Status::InvalidArgument("holdout counts: " + std::to_string(holdout.size()) +
                                   " values for " + std::to_string(summary.size()) + " customers");
  }
  if (!(holdout_length > 0) || max_bucket < 1) {
    return Status::InvalidArgument("the holdout must last longer than 0 and max_bucket be >= 1");
  }
  struct Sums {
    int64_t customers = 0;
    double actual = 0, expected = 0;
  };
  std::vector<Sums> sums(max_bucket + 1);
  for (size_t i = 0; i < summary.size(); ++i) {
    Sums& bucket = sums[static_cast<size_t>(std::min<double>(summary.x[i], max_bucket))];
    bucket.customers += 1;
    bucket.actual += holdout[i];
    bucket.expected +=
        model.ExpectedPurchases(holdout_length, summary.x[i], summary.t_x[i], summary.T[i]);
  }
  // Privacy: no bucket of fewer than min_customers. Walking up, a small bucket takes in
  // the next x ("1-2"); what is left at the top joins the last bucket ("5+").
  struct Range {
    int low = 0, high = 0;
    Sums sums;
  };
  std::vector<Range> ranges;
  Range open;
  for (int x = 0; x <= max_bucket; ++x) {
    open.high = x;
    open.sums.customers += sums[x].customers;
    open.sums.actual += sums[x].actual;
    open.sums.expected += sums[x].expected;
    const bool last = x == max_bucket;
    if (!last && (open.sums.customers == 0 || open.sums.customers < min_customers)) continue;
    if (open.sums.customers == 0) break;
    if (last && open.sums.customers < min_customers && !ranges.empty()) {
      ranges.back().high = x;
      ranges.back().sums.customers += open.sums.customers;
      ranges.back().sums.actual += open.sums.actual;
      ranges.back().sums.expected += open.sums.expected;
    } else {
      ranges.push_back(open);
    }
    open = Range{x + 1, x + 1, Sums{}};
  }
  std::vector<FrequencyBucket> buckets;
  for (const Range& range : ranges) {
    FrequencyBucket bucket;
    bucket.label =
        std::to_string(range.low) + (range.high == max_bucket  ? "+"
                                     : range.high == range.low ? ""
                                                               : "-" + std::to_string(range.high));
    bucket.customers = range.sums.customers;
    bucket.actual = range.sums.actual / static_cast<double>(range.sums.customers);
    bucket.expected = range.sums.expected / static_cast<double>(range.sums.customers);
    buckets.push_back(bucket);
  }
  return buckets;
}

Result<std::vector<TrackingPoint>> CumulativeTracking(const PurchaseModel& model,
                                                      const std::vector<double>& first_purchase,
                                                      const std::vector<double>& repeats_per_period,
                                                      double period) {
  if (!(period > 0)) return Status::InvalidArgument("the tracking period must be > 0");
  std::map<double, int64_t> cohorts;  // first purchase time → customers
  for (double first : first_purchase) {
    if (!std::isfinite(first) || first < 0) {
      return Status::InvalidArgument("a first purchase time is negative or not finite");
    }
    cohorts[first] += 1;
  }
  std::vector<TrackingPoint> points;
  double actual = 0;
  for (size_t k = 0; k < repeats_per_period.size(); ++k) {
    TrackingPoint point;
    point.t = static_cast<double>(k + 1) * period;
    actual += repeats_per_period[k];
    point.actual = actual;
    for (const auto& [first, customers] : cohorts) {
      if (first >= point.t) break;
      point.expected +=
          static_cast<double>(customers) * model.ExpectedPurchasesNew(point.t - first);
    }
    points.push_back(point);
  }
  return points;
}

}  // namespace segmenta::value
