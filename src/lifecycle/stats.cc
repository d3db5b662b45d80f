#include "lifecycle/stats.h"

#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace segmenta::stats {
namespace {

// Out-of-range arguments give NaN and ±infinity instead of exceptions.
using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;
using Normal = boost::math::normal_distribution<double, Policy>;

// z_{(1 + confidence) / 2}, from the lower tail for accuracy.
double TwoSidedZ(double confidence) { return -NormalQuantile((1 - confidence) / 2); }

}  // namespace

double NormalCdf(double x) { return boost::math::cdf(Normal(), x); }

double NormalSf(double x) { return boost::math::cdf(boost::math::complement(Normal(), x)); }

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  return boost::math::quantile(Normal(), p);
}

ProportionComparison CompareProportions(int64_t successes_a, int64_t n_a, int64_t successes_b,
                                        int64_t n_b, double confidence) {
  ProportionComparison out;
  const double na = static_cast<double>(n_a), nb = static_cast<double>(n_b);
  out.rate_a = static_cast<double>(successes_a) / na;
  out.rate_b = static_cast<double>(successes_b) / nb;
  out.difference = out.rate_a - out.rate_b;
  double wald_se =
      std::sqrt(out.rate_a * (1 - out.rate_a) / na + out.rate_b * (1 - out.rate_b) / nb);
  double half = TwoSidedZ(confidence) * wald_se;
  out.ci_low = out.difference - half;
  out.ci_high = out.difference + half;
  if (out.rate_b > 0) out.relative_lift = out.difference / out.rate_b;
  double pooled = static_cast<double>(successes_a + successes_b) / (na + nb);
  double pooled_se = std::sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  if (pooled_se > 0) {
    out.z = out.difference / pooled_se;
    out.p_value = 2 * NormalSf(std::fabs(out.z));
  }
  return out;
}

MeanComparison CompareMeans(const Sample& a, const Sample& b, double confidence) {
  auto share = [](const Sample& s) {
    return s.n > 1 && std::isfinite(s.variance) ? s.variance / static_cast<double>(s.n) : 0.0;
  };
  MeanComparison out;
  out.difference = a.mean - b.mean;
  double half = TwoSidedZ(confidence) * std::sqrt(share(a) + share(b));
  out.ci_low = out.difference - half;
  out.ci_high = out.difference + half;
  return out;
}

double SampleSize(double baseline, double lift, double alpha, double power) {
  const double p1 = baseline, p2 = baseline * (1 + lift);
  const double mean = (p1 + p2) / 2;
  const double z_alpha = TwoSidedZ(1 - alpha);
  const double z_power = NormalQuantile(power);
  const double root = z_alpha * std::sqrt(2 * mean * (1 - mean)) +
                      z_power * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return root * root / ((p2 - p1) * (p2 - p1));
}

int64_t SampleSizePerArm(double baseline, double lift, double alpha, double power) {
  return static_cast<int64_t>(std::ceil(SampleSize(baseline, lift, alpha, power)));
}

}  // namespace segmenta::stats
