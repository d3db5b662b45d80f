// The statistics behind A/B analysis: the normal distribution, the two-proportion
// z-test with a Wald interval, a normal (Welch) interval for a difference in means, and
// the sample size for a two-proportion test. Pure functions, thread-safe.
//
//   stats::ProportionComparison c = stats::CompareProportions(120, 1000, 90, 1000);
//   if (c.p_value < 0.05) ...  // c.difference = 0.03, c.ci_low .. c.ci_high
//
// Checked against scipy.stats.norm in stats_test.cc, and by simulation (false-positive
// rate, interval coverage, power at the planned sample size).
#ifndef SEGMENTA_LIFECYCLE_STATS_H_
#define SEGMENTA_LIFECYCLE_STATS_H_

#include <cstdint>
#include <limits>

namespace segmenta::stats {

// Standard normal: P(Z ≤ x), P(Z > x) (accurate far in the upper tail), and the x with
// P(Z ≤ x) = p for 0 < p < 1 (±infinity at 0 and 1, NaN outside).
double NormalCdf(double x);
double NormalSf(double x);
double NormalQuantile(double p);

// Group A against group B (a variant against the hold-out) on a yes/no outcome.
struct ProportionComparison {
  double rate_a = 0, rate_b = 0;
  double difference = 0;           // rate_a − rate_b
  double ci_low = 0, ci_high = 0;  // Wald interval: difference ± z·√(pa(1−pa)/na + pb(1−pb)/nb)
  double relative_lift = std::numeric_limits<double>::quiet_NaN();  // difference / rate_b
  double z = 0;        // difference / √(p(1−p)(1/na + 1/nb)), p pooled
  double p_value = 1;  // two-sided: 2·P(Z > |z|); 1 when the pooled SE is 0
};
// `successes_*` of `n_*` (n > 0); `confidence` of the interval, e.g. 0.95.
ProportionComparison CompareProportions(int64_t successes_a, int64_t n_a, int64_t successes_b,
                                        int64_t n_b, double confidence = 0.95);

// A group's size, mean and sample variance (divisor n − 1; 0 when n < 2).
struct Sample {
  int64_t n = 0;
  double mean = 0;
  double variance = 0;
};
struct MeanComparison {
  double difference = 0;           // mean_a − mean_b
  double ci_low = 0, ci_high = 0;  // difference ± z·√(var_a/n_a + var_b/n_b) (Welch's SE)
};
MeanComparison CompareMeans(const Sample& a, const Sample& b, double confidence = 0.95);

// Customers per arm for a two-sided two-proportion z-test at level `alpha` to detect
// p2 = baseline·(1 + lift) against p1 = baseline with probability `power`:
//   n = (z_{1−α/2}·√(2·p̄(1−p̄)) + z_{power}·√(p1(1−p1) + p2(1−p2)))² / (p2 − p1)²,
//   p̄ = (p1 + p2) / 2,
// unrounded (SampleSizePerArm rounds up). Needs 0 < p1, p2 < 1, p1 ≠ p2, 0 < α < 1,
// 0.5 ≤ power < 1; callers check.
double SampleSize(double baseline, double lift, double alpha, double power);
int64_t SampleSizePerArm(double baseline, double lift, double alpha, double power);

}  // namespace segmenta::stats

#endif  // SEGMENTA_LIFECYCLE_STATS_H_
