#include "segment/cluster/pca.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace segmenta::cluster {
namespace {

// Points along the direction (3, 4)/5 with spread 10, plus small noise across it.
Matrix<double> Elongated(size_t rows) {
  std::mt19937 random(1);
  std::normal_distribution<double> along(0.0, 10.0), across(0.0, 0.5);
  Matrix<double> data(rows, 2);
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    double a = along(random), b = across(random);
    data(row_idx, 0) = 1.0 + 0.6 * a - 0.8 * b;
    data(row_idx, 1) = -2.0 + 0.8 * a + 0.6 * b;
  }
  return data;
}

TEST(PcaTest, FindsTheKnownPrincipalAxis) {
  Matrix<double> data = Elongated(20000);
  Result<Pca> pca = FitPca(data.view(), 2);
  ASSERT_TRUE(pca.ok()) << pca.status().ToString();
  EXPECT_NEAR(pca->components(0, 0), 0.6, 1e-3);
  EXPECT_NEAR(pca->components(0, 1), 0.8, 1e-3);
  // Second axis orthogonal, sign fixed: its largest-magnitude entry (±0.8) positive.
  EXPECT_NEAR(pca->components(1, 0), 0.8, 1e-3);
  EXPECT_NEAR(pca->components(1, 1), -0.6, 1e-3);
  EXPECT_NEAR(pca->mean[0], 1.0, 0.2);
  EXPECT_NEAR(pca->mean[1], -2.0, 0.2);
  EXPECT_NEAR(pca->explained_variance[0], 100.0, 3.0);
  EXPECT_NEAR(pca->explained_variance[1], 0.25, 0.02);
  EXPECT_NEAR(pca->explained_variance_ratio[0] + pca->explained_variance_ratio[1], 1.0, 1e-12);
}

TEST(PcaTest, ProjectedVarianceEqualsEigenvalues) {
  std::mt19937 random(2);
  std::normal_distribution<double> normal;
  Matrix<double> data(5000, 4);
  for (size_t row_idx = 0; row_idx < data.rows(); ++row_idx) {
    double shared = normal(random);
    for (size_t col_idx = 0; col_idx < 4; ++col_idx) {
      data(row_idx, col_idx) = shared * (col_idx + 1) + normal(random);
    }
  }
  Result<Pca> pca = FitPca(data.view(), 3, 2);
  ASSERT_TRUE(pca.ok());
  Matrix<double> projected = Project(*pca, data.view());
  for (size_t axis_idx = 0; axis_idx < 3; ++axis_idx) {
    double sum = 0.0, squares = 0.0;
    for (size_t row_idx = 0; row_idx < projected.rows(); ++row_idx) {
      sum += projected(row_idx, axis_idx);
      squares += projected(row_idx, axis_idx) * projected(row_idx, axis_idx);
    }
    EXPECT_NEAR(sum / projected.rows(), 0.0, 1e-9);
    double variance = squares / (projected.rows() - 1);
    EXPECT_NEAR(variance, pca->explained_variance[axis_idx], 1e-9 * variance);
    double norm = 0.0;
    for (size_t col_idx = 0; col_idx < 4; ++col_idx) {
      norm += pca->components(axis_idx, col_idx) * pca->components(axis_idx, col_idx);
    }
    EXPECT_NEAR(norm, 1.0, 1e-12);
  }
  EXPECT_GE(pca->explained_variance[0], pca->explained_variance[1]);
}

TEST(PcaTest, SameResultForAnyThreadCountUpToRounding) {
  Matrix<double> data = Elongated(1001);
  Result<Pca> one = FitPca(data.view(), 2, 1), three = FitPca(data.view(), 2, 3);
  ASSERT_TRUE(one.ok() && three.ok());
  for (size_t idx = 0; idx < 4; ++idx) {
    EXPECT_NEAR(one->components.values()[idx], three->components.values()[idx], 1e-12);
  }
  Result<Pca> again = FitPca(data.view(), 2, 3);
  EXPECT_EQ(again->components.values(), three->components.values());
}

TEST(PcaTest, OneColumnKeepsOneComponent) {
  Matrix<double> data(4, 1);
  data.values() = {1, 2, 3, 4};
  Result<Pca> pca = FitPca(data.view(), 2);
  ASSERT_TRUE(pca.ok());
  ASSERT_EQ(pca->components.rows(), 1u);
  EXPECT_DOUBLE_EQ(pca->components(0, 0), 1.0);
  EXPECT_NEAR(pca->explained_variance[0], 5.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(pca->explained_variance_ratio[0], 1.0);
}

TEST(PcaTest, ConstantColumnHasZeroVariance) {
  Matrix<double> data(3, 2);
  data.values() = {1, 7, 2, 7, 3, 7};
  Result<Pca> pca = FitPca(data.view(), 2);
  ASSERT_TRUE(pca.ok());
  EXPECT_NEAR(pca->components(0, 0), 1.0, 1e-12);
  EXPECT_NEAR(pca->explained_variance[0], 1.0, 1e-12);
  EXPECT_NEAR(pca->explained_variance[1], 0.0, 1e-12);
  EXPECT_NEAR(pca->explained_variance_ratio[1], 0.0, 1e-12);
}

TEST(PcaTest, OneRowGivesZeroVarianceAndProjectsToOrigin) {
  Matrix<double> data(1, 3);
  data.values() = {1, 2, 3};
  Result<Pca> pca = FitPca(data.view(), 2);
  ASSERT_TRUE(pca.ok());
  EXPECT_EQ(pca->explained_variance, (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(pca->explained_variance_ratio, (std::vector<double>{0.0, 0.0}));
  Matrix<double> projected = Project(*pca, data.view());
  EXPECT_DOUBLE_EQ(projected(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(projected(0, 1), 0.0);
}

TEST(PcaTest, RejectsBadInput) {
  EXPECT_FALSE(FitPca(Matrix<double>(0, 2).view()).ok());
  EXPECT_FALSE(FitPca(Matrix<double>(3, 0).view()).ok());
  EXPECT_FALSE(FitPca(Matrix<double>(3, 2).view(), 0).ok());
  Matrix<double> with_nan(2, 2);
  with_nan(1, 1) = std::nan("");
  Result<Pca> pca = FitPca(with_nan.view());
  ASSERT_FALSE(pca.ok());
  EXPECT_EQ(pca.status().code(), StatusCode::kDataError);
}

}  // namespace
}  // namespace segmenta::cluster
