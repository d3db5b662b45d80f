#include "segment/value/special.h"

#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>

namespace segmenta::value {
namespace {

double BoostHyp2F1(double a, double b, double c, double z) {
  return boost::math::hypergeometric_pFq({a, b}, {c}, z);
}

TEST(SpecialTest, Hyp2F1MatchesBoost) {
  // Arguments the value models pass: BG/NBD's Euler-transformed series for CDNOW-like
  // parameters (a − 1 < 0, r > a + b − 1 or not), a new customer, a heavy buyer.
  const double cases[][4] = {
      {2.4261667 + 0.7929899 - 1 - 0.2425982, 0.7929899 - 1, 0.7929899 + 2.4261667 - 1, 0.9218},
      {0.2425982, 2.4261667, 0.7929899 + 2.4261667 - 1, 0.5},
      {3.0, -0.2, 30.0, 0.62},
      {0.5, 1.5, 2.0, 0.0},
      {1.7, 0.3, 1000.0, 0.99},
  };
  for (const auto& c : cases) {
    const double ours = Hyp2F1(c[0], c[1], c[2], c[3]);
    const double reference = BoostHyp2F1(c[0], c[1], c[2], c[3]);
    EXPECT_NEAR(ours, reference, 1e-13 * std::abs(reference))
        << c[0] << " " << c[1] << " " << c[2] << " " << c[3];
  }
}

TEST(SpecialTest, RatioSeriesIs2F1WithFirstParameterOne) {
  const double cases[][3] = {{0.8, 2.4, 0.1}, {26.5, 28.1, 0.7}, {1.6, 27.8, 0.98}, {3, 4, 0}};
  for (const auto& c : cases) {
    const double reference = BoostHyp2F1(1.0, c[0], c[1], c[2]);
    EXPECT_NEAR(RatioSeries(c[0], c[1], c[2]), reference, 1e-13 * reference);
  }
}

TEST(SpecialTest, SeriesThatCannotConvergeSayNaN) {
  EXPECT_TRUE(std::isnan(RatioSeries(1e6, 1e6 + 1e-9, 1 - 1e-12)));
}

TEST(SpecialTest, LogHelpers) {
  EXPECT_NEAR(LogBeta(2.5, 3.5), std::log(boost::math::beta(2.5, 3.5)), 1e-13);
  EXPECT_NEAR(LogAddExp(1000, 1000), 1000 + std::log(2.0), 1e-12);
  EXPECT_EQ(LogAddExp(-INFINITY, 3), 3);
}

}  // namespace
}  // namespace segmenta::value
