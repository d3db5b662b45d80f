#include "segment/value/special.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace segmenta::value {

double Hyp2F1(double a, double b, double c, double z) {
  double term = 1;
  double sum = 1;
  for (int n = 0; n < kMaxSeriesTerms; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    sum += term;
    // Past the turning point (n + 1 > the terms' growth) a small term means the rest is
    // smaller still: the ratio tends to z < 1.
    if (std::abs(term) <= 1e-17 * std::abs(sum) && (a + n) * (b + n) < (c + n) * (n + 1)) {
      return sum;
    }
    if (term == 0) return sum;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double RatioSeries(double b, double c, double z) {
  double term = 1;
  double sum = 1;
  for (int n = 0; n < kMaxSeriesTerms; ++n) {
    term *= (b + n) / (c + n) * z;
    sum += term;
    // The remaining terms are at most term × z / (1 − z).
    if (term * z <= 1e-17 * sum * (1 - z)) return sum;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double LogBeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double LogAddExp(double u, double v) {
  if (u == -std::numeric_limits<double>::infinity()) return v;
  if (v == -std::numeric_limits<double>::infinity()) return u;
  const double high = std::max(u, v);
  return high + std::log1p(std::exp(std::min(u, v) - high));
}

}  // namespace segmenta::value
