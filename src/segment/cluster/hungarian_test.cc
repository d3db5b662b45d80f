#include "segment/cluster/hungarian.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace segmenta::cluster {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Total cost of a match and how many forbidden (+inf) pairs it uses.
struct Score {
  int forbidden = 0;
  double finite = 0.0;
};

Score ScoreOf(const Matrix<double>& cost, const std::vector<int>& match) {
  Score score;
  for (size_t row = 0; row < match.size(); ++row) {
    if (match[row] < 0) continue;
    double value = cost(row, match[row]);
    if (value == kInf) {
      ++score.forbidden;
    } else {
      score.finite += value;
    }
  }
  return score;
}

// Brute force over every injective map of the smaller side into the larger one.
Score BruteForce(const Matrix<double>& cost) {
  size_t rows = cost.rows(), cols = cost.cols();
  size_t big = std::max(rows, cols);
  std::vector<int> order(big);
  std::iota(order.begin(), order.end(), 0);
  Score best{std::numeric_limits<int>::max(), kInf};
  do {
    std::vector<int> match(rows, -1);
    for (size_t idx = 0; idx < big; ++idx) {
      // rows <= cols: row idx takes column order[idx]; otherwise column idx takes row order[idx].
      if (rows <= cols && idx < rows) match[idx] = order[idx];
      if (rows > cols && idx < cols) match[order[idx]] = static_cast<int>(idx);
    }
    Score score = ScoreOf(cost, match);
    if (score.forbidden < best.forbidden ||
        (score.forbidden == best.forbidden && score.finite < best.finite)) {
      best = score;
    }
  } while (std::next_permutation(order.begin(), order.end()));
  return best;
}

void ExpectValidMatch(const Matrix<double>& cost, const std::vector<int>& match) {
  ASSERT_EQ(match.size(), cost.rows());
  std::vector<int> used(cost.cols(), 0);
  size_t matched = 0;
  for (int col : match) {
    if (col < 0) continue;
    ASSERT_LT(col, static_cast<int>(cost.cols()));
    EXPECT_EQ(used[col]++, 0) << "column " << col << " used twice";
    ++matched;
  }
  EXPECT_EQ(matched, std::min(cost.rows(), cost.cols()));
}

void ExpectOptimal(const Matrix<double>& cost) {
  std::vector<int> match = MatchMinimumCost(cost);
  ExpectValidMatch(cost, match);
  Score got = ScoreOf(cost, match), want = BruteForce(cost);
  EXPECT_EQ(got.forbidden, want.forbidden);
  EXPECT_NEAR(got.finite, want.finite, 1e-9 * std::max(1.0, std::abs(want.finite)));
}

TEST(HungarianTest, SquareExample) {
  Matrix<double> cost(3, 3);
  cost.values() = {4, 1, 3, 2, 0, 5, 3, 2, 2};
  EXPECT_EQ(MatchMinimumCost(cost), (std::vector<int>{1, 0, 2}));
}

TEST(HungarianTest, EmptyMatrices) {
  EXPECT_TRUE(MatchMinimumCost(Matrix<double>(0, 3)).empty());
  EXPECT_EQ(MatchMinimumCost(Matrix<double>(2, 0)), (std::vector<int>{-1, -1}));
}

TEST(HungarianTest, MoreRowsThanColumnsLeavesTheCostliestUnmatched) {
  Matrix<double> cost(3, 1);
  cost.values() = {5, 1, 3};
  EXPECT_EQ(MatchMinimumCost(cost), (std::vector<int>{-1, 0, -1}));
}

TEST(HungarianTest, MatchesBruteForceOnRandomRectangularMatrices) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> uniform(-10.0, 10.0);
  for (int trial = 0; trial < 300; ++trial) {
    size_t rows = 1 + random() % 7, cols = 1 + random() % 7;
    Matrix<double> cost(rows, cols);
    for (double& value : cost.values()) value = uniform(random);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " " << rows << "x" << cols);
    ExpectOptimal(cost);
  }
}

TEST(HungarianTest, TiesAreOptimalAndDeterministic) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 200; ++trial) {
    size_t rows = 1 + random() % 6, cols = 1 + random() % 6;
    Matrix<double> cost(rows, cols);
    for (double& value : cost.values()) value = static_cast<double>(random() % 3);
    ExpectOptimal(cost);
    EXPECT_EQ(MatchMinimumCost(cost), MatchMinimumCost(cost));
  }
  Matrix<double> all_equal(4, 4, 1.0);
  ExpectValidMatch(all_equal, MatchMinimumCost(all_equal));
}

TEST(HungarianTest, InfinitiesAreAvoidedWhenPossible) {
  std::mt19937 random(3);
  std::uniform_real_distribution<double> uniform(0.0, 100.0);
  for (int trial = 0; trial < 200; ++trial) {
    size_t rows = 1 + random() % 6, cols = 1 + random() % 6;
    Matrix<double> cost(rows, cols);
    for (double& value : cost.values()) value = random() % 3 == 0 ? kInf : uniform(random);
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    ExpectOptimal(cost);
  }
  Matrix<double> all_forbidden(3, 3, kInf);
  ExpectValidMatch(all_forbidden, MatchMinimumCost(all_forbidden));
}

TEST(HungarianTest, LargeAndNegativeValues) {
  std::mt19937 random(5);
  std::uniform_real_distribution<double> uniform(-1e12, 1e12);
  for (int trial = 0; trial < 100; ++trial) {
    size_t rows = 1 + random() % 7, cols = 1 + random() % 7;
    Matrix<double> cost(rows, cols);
    for (double& value : cost.values()) value = uniform(random);
    ExpectOptimal(cost);
  }
}

TEST(HungarianTest, NanIsForbidden) {
  Matrix<double> cost(2, 2);
  cost.values() = {std::nan(""), 1.0, 1.0, 50.0};
  EXPECT_EQ(MatchMinimumCost(cost), (std::vector<int>{1, 0}));
}

}  // namespace
}  // namespace segmenta::cluster
