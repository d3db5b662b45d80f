#include "segmenta/kprototypes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "segmenta/cluster_metrics.h"

namespace segmenta {
namespace {

struct Blobs {
  Matrix<double> numeric;
  Matrix<int32_t> categories;
  std::vector<int32_t> truth;
};

// `groups` Gaussian blobs in p dimensions (centres `spacing` apart on a lattice) with
// q categorical columns whose value is the group's own level with probability 0.8.
Blobs MakeBlobs(size_t rows, size_t p, size_t q, int groups, uint32_t seed, double spacing = 6.0) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Blobs blobs{Matrix<double>(rows, p), Matrix<int32_t>(rows, q), std::vector<int32_t>(rows)};
  for (size_t row = 0; row < rows; ++row) {
    int32_t group = static_cast<int32_t>(row % groups);
    blobs.truth[row] = group;
    for (size_t col = 0; col < p; ++col) {
      double centre = spacing * ((group + col) % groups);
      blobs.numeric(row, col) = centre + noise(random);
    }
    for (size_t col = 0; col < q; ++col) {
      bool own = uniform(random) < 0.8;
      blobs.categories(row, col) = own ? group : static_cast<int32_t>(random() % (groups + 2));
    }
  }
  return blobs;
}

double ReferenceCost(const Blobs& blobs, const KPrototypesFit& fit) {
  double cost = 0.0;
  for (size_t row = 0; row < fit.labels.size(); ++row) {
    int32_t cluster = fit.labels[row];
    for (size_t col = 0; col < blobs.numeric.cols(); ++col) {
      double diff = blobs.numeric(row, col) - fit.centroids(cluster, col);
      cost += diff * diff;
    }
    for (size_t col = 0; col < blobs.categories.cols(); ++col) {
      int32_t code = blobs.categories(row, col);
      cost += fit.gamma * (code < 0 || code != fit.modes(cluster, col));
    }
  }
  return cost;
}

TEST(KPrototypesTest, RecoversMixedBlobs) {
  Blobs blobs = MakeBlobs(6000, 3, 3, 5, 1);
  KPrototypesOptions options;
  options.k = 5;
  options.restarts = 3;
  Result<KPrototypesFit> fit =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_GE(AdjustedRandIndex(fit->labels, blobs.truth), 0.95);
  EXPECT_TRUE(fit->converged);
  EXPECT_EQ(fit->sizes.size(), 5u);
  size_t total = 0;
  for (size_t size : fit->sizes) total += size;
  EXPECT_EQ(total, 6000u);
  // Each cluster's mode is its group's own level.
  for (size_t row = 0; row < 6000; row += 997) {
    EXPECT_EQ(fit->modes(fit->labels[row], 0), blobs.truth[row]);
  }
}

TEST(KPrototypesTest, CategoriesAloneSeparateGroupsTheNumbersCannot) {
  Blobs blobs = MakeBlobs(3000, 2, 6, 4, 2);
  for (double& value : blobs.numeric.values()) value = 0.0;
  KPrototypesOptions options;
  options.k = 4;
  options.restarts = 4;
  Result<KPrototypesFit> fit =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_DOUBLE_EQ(fit->gamma, 1.0);  // numeric std 0 → γ falls back to 1
  EXPECT_GE(AdjustedRandIndex(fit->labels, blobs.truth), 0.95);
}

TEST(KPrototypesTest, ReportedCostEqualsReferenceCost) {
  Blobs blobs = MakeBlobs(2000, 4, 2, 3, 3);
  KPrototypesOptions options;
  options.k = 6;
  options.max_iterations = 3;  // stopped early: labels need not be the nearest
  Result<KPrototypesFit> fit =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->cost, ReferenceCost(blobs, *fit), 1e-9 * fit->cost);
  options.max_iterations = 100;
  options.tolerance = 0.0;
  fit = RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->cost, ReferenceCost(blobs, *fit), 1e-9 * fit->cost);
  Result<KPrototypesAssignment> again =
      AssignPrototypes(blobs.numeric.view(), blobs.categories.view(), *fit);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(fit->converged);
  EXPECT_EQ(again->labels, fit->labels);  // converged: every row is at its nearest
  EXPECT_NEAR(again->cost, fit->cost, 1e-9 * fit->cost);
}

TEST(KPrototypesTest, DefaultGammaIsHalfTheMeanStandardDeviation) {
  Matrix<double> numeric(4, 2);
  numeric.values() = {0, 10, 2, 10, 0, 30, 2, 30};  // std 1 and 10
  EXPECT_DOUBLE_EQ(DefaultGamma(numeric.view()), 0.5 * (1.0 + 10.0) / 2);
  EXPECT_DOUBLE_EQ(DefaultGamma(Matrix<double>(4, 0).view()), 1.0);
}

// Plain Lloyd iterations (nearest centroid, smallest index on ties; then means) until
// no label changes.
std::vector<int32_t> ReferenceLloyd(const Matrix<double>& data, Matrix<double> centroids) {
  size_t k = centroids.rows(), p = data.cols();
  std::vector<int32_t> labels(data.rows(), -1);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t row = 0; row < data.rows(); ++row) {
      int32_t best = 0;
      double best_distance = std::numeric_limits<double>::infinity();
      for (size_t cluster = 0; cluster < k; ++cluster) {
        double distance = 0;
        for (size_t col = 0; col < p; ++col) {
          distance += std::pow(data(row, col) - centroids(cluster, col), 2);
        }
        if (distance < best_distance)
          best_distance = distance, best = static_cast<int32_t>(cluster);
      }
      changed |= labels[row] != best;
      labels[row] = best;
    }
    Matrix<double> sums(k, p);
    std::vector<double> counts(k);
    for (size_t row = 0; row < data.rows(); ++row) {
      counts[labels[row]] += 1;
      for (size_t col = 0; col < p; ++col) sums(labels[row], col) += data(row, col);
    }
    for (size_t cluster = 0; cluster < k; ++cluster) {
      for (size_t col = 0; col < p; ++col)
        centroids(cluster, col) = sums(cluster, col) / counts[cluster];
    }
  }
  return labels;
}

TEST(KPrototypesTest, GammaZeroIsKMeansOnTheNumbers) {
  // Overlapping blobs so that Lloyd takes several iterations.
  Blobs blobs = MakeBlobs(3000, 3, 2, 4, 4, 1.5);
  KPrototypesOptions options;
  options.k = 4;
  options.gamma = 0.0;
  options.tolerance = 0.0;
  options.threads = 3;
  options.initial_centroids = Matrix<double>(4, 3);
  options.initial_modes = Matrix<int32_t>(4, 2);
  for (size_t cluster = 0; cluster < 4; ++cluster) {
    for (size_t col = 0; col < 3; ++col) {
      options.initial_centroids(cluster, col) = blobs.numeric(cluster * 7, col);
    }
  }
  Result<KPrototypesFit> fit =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_TRUE(fit->converged);
  EXPECT_GT(fit->iterations, 2);
  EXPECT_EQ(fit->labels, ReferenceLloyd(blobs.numeric, options.initial_centroids));
}

TEST(KPrototypesTest, DeterministicForTheSameSeedAndThreads) {
  Blobs blobs = MakeBlobs(4000, 3, 2, 4, 5);
  KPrototypesOptions options;
  options.k = 5;
  options.threads = 2;
  options.restarts = 2;
  Result<KPrototypesFit> first =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  Result<KPrototypesFit> second =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->labels, second->labels);
  EXPECT_EQ(first->centroids.values(), second->centroids.values());
  EXPECT_EQ(first->modes.values(), second->modes.values());
  EXPECT_EQ(first->cost, second->cost);
  options.init = KPrototypesInit::kRandom;
  first = RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  second = RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  EXPECT_EQ(first->labels, second->labels);
}

TEST(KPrototypesTest, DegenerateInputs) {
  Blobs blobs = MakeBlobs(5, 2, 1, 2, 6);
  KPrototypesOptions options;
  options.k = 6;
  Result<KPrototypesFit> too_many =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);

  // Identical rows: every cluster is non-empty (re-seeded), cost 0, converged.
  Matrix<double> same(10, 2, 1.5);
  Matrix<int32_t> same_codes(10, 1, 3);
  options.k = 3;
  options.tolerance = 0.0;
  Result<KPrototypesFit> identical = RunKPrototypes(same.view(), same_codes.view(), options);
  ASSERT_TRUE(identical.ok());
  EXPECT_EQ(identical->cost, 0.0);
  EXPECT_TRUE(identical->converged);
  for (size_t size : identical->sizes) EXPECT_GE(size, 1u);

  // One row, k = 1.
  options.k = 1;
  Matrix<double> one(1, 2, 4.0);
  Matrix<int32_t> one_code(1, 1, 0);
  Result<KPrototypesFit> single = RunKPrototypes(one.view(), one_code.view(), options);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->labels, (std::vector<int32_t>{0}));
  EXPECT_EQ(single->centroids(0, 1), 4.0);

  // A constant column changes nothing.
  Blobs constant = MakeBlobs(1000, 2, 1, 2, 7);
  for (size_t row = 0; row < 1000; ++row) constant.numeric(row, 1) = 5.0;
  options.k = 2;
  Result<KPrototypesFit> with_constant =
      RunKPrototypes(constant.numeric.view(), constant.categories.view(), options);
  ASSERT_TRUE(with_constant.ok());
  EXPECT_GE(AdjustedRandIndex(with_constant->labels, constant.truth), 0.95);
}

TEST(KPrototypesTest, OnlyCategoricalOrOnlyNumericColumns) {
  Blobs blobs = MakeBlobs(2000, 2, 4, 3, 8);
  KPrototypesOptions options;
  options.k = 3;
  options.restarts = 3;
  Result<KPrototypesFit> categorical =
      RunKPrototypes(MatrixView<double>{}, blobs.categories.view(), options);
  ASSERT_TRUE(categorical.ok()) << categorical.status().ToString();
  EXPECT_EQ(categorical->centroids.cols(), 0u);
  EXPECT_GE(AdjustedRandIndex(categorical->labels, blobs.truth), 0.95);
  Result<KPrototypesFit> numeric =
      RunKPrototypes(blobs.numeric.view(), MatrixView<int32_t>{}, options);
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->modes.cols(), 0u);
  EXPECT_GE(AdjustedRandIndex(numeric->labels, blobs.truth), 0.95);
  Result<KPrototypesAssignment> scored =
      AssignPrototypes(blobs.numeric.view(), MatrixView<int32_t>{}, *numeric);
  ASSERT_TRUE(scored.ok());
  EXPECT_EQ(scored->labels.size(), 2000u);
}

TEST(KPrototypesTest, UnknownCodesMismatchEveryMode) {
  Blobs blobs = MakeBlobs(500, 1, 1, 2, 9);
  KPrototypesOptions options;
  options.k = 2;
  Result<KPrototypesFit> fit =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  ASSERT_TRUE(fit.ok());
  Matrix<double> row(1, 1, fit->centroids(0, 0));
  Matrix<int32_t> unknown(1, 1, -1);
  Result<KPrototypesAssignment> scored = AssignPrototypes(row.view(), unknown.view(), *fit);
  ASSERT_TRUE(scored.ok());
  EXPECT_EQ(scored->labels[0], 0);
  EXPECT_DOUBLE_EQ(scored->distances[0], fit->gamma);
}

TEST(KPrototypesTest, RejectsBadInput) {
  Blobs blobs = MakeBlobs(100, 2, 1, 2, 10);
  KPrototypesOptions options;
  options.k = 2;
  Matrix<int32_t> short_codes(99, 1);
  EXPECT_FALSE(RunKPrototypes(blobs.numeric.view(), short_codes.view(), options).ok());
  EXPECT_FALSE(RunKPrototypes(MatrixView<double>{}, MatrixView<int32_t>{}, options).ok());
  blobs.numeric(50, 1) = std::nan("");
  Result<KPrototypesFit> with_nan =
      RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options);
  EXPECT_EQ(with_nan.status().code(), StatusCode::kDataError);
  blobs.numeric(50, 1) = 0.0;
  options.gamma = -1.0;
  EXPECT_FALSE(RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options).ok());
  options.gamma = 1.0;
  options.initial_centroids = Matrix<double>(3, 2);
  EXPECT_FALSE(RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options).ok());
  options.initial_centroids = {};
  options.k = 0;
  EXPECT_FALSE(RunKPrototypes(blobs.numeric.view(), blobs.categories.view(), options).ok());
}

}  // namespace
}  // namespace segmenta
