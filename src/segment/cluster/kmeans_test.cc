#include "segmenta/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "segmenta/cluster_metrics.h"

namespace segmenta {
namespace {

// `blobs` Gaussian blobs (standard deviation `spread`) around centres drawn uniformly
// from [-10, 10]^cols; truth[row] is the blob of each row.
struct Blobs {
  Matrix<double> points;
  std::vector<int32_t> truth;
};

Blobs MakeBlobs(size_t rows, size_t cols, int blobs, double spread, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> centre(-10.0, 10.0);
  std::normal_distribution<double> noise(0.0, spread);
  Matrix<double> centres(blobs, cols);
  for (double& value : centres.values()) value = centre(engine);
  Blobs result{Matrix<double>(rows, cols), std::vector<int32_t>(rows)};
  for (size_t row = 0; row < rows; ++row) {
    const int32_t blob = static_cast<int32_t>(row % blobs);
    result.truth[row] = blob;
    for (size_t col = 0; col < cols; ++col) {
      result.points(row, col) = centres(blob, col) + noise(engine);
    }
  }
  return result;
}

template <typename T>
Matrix<T> Cast(const Matrix<double>& source) {
  Matrix<T> result(source.rows(), source.cols());
  for (size_t index = 0; index < source.values().size(); ++index) {
    result.values()[index] = static_cast<T>(source.values()[index]);
  }
  return result;
}

// The textbook Lloyd the engine must agree with: assign every row to its nearest
// centroid (lowest index on ties), move centroids to their means (empty ones stay), stop
// when no label changes or after max_iterations, then assign once more.
struct ReferenceFit {
  Matrix<double> centroids;
  std::vector<int32_t> labels;
  double inertia = 0;
  int iterations = 0;
};

std::vector<int32_t> ReferenceAssign(const Matrix<double>& data, const Matrix<double>& centroids) {
  std::vector<int32_t> labels(data.rows());
  for (size_t row = 0; row < data.rows(); ++row) {
    double best = std::numeric_limits<double>::infinity();
    for (size_t cluster = 0; cluster < centroids.rows(); ++cluster) {
      double distance = 0;
      for (size_t col = 0; col < data.cols(); ++col) {
        const double diff = data(row, col) - centroids(cluster, col);
        distance += diff * diff;
      }
      if (distance < best) {
        best = distance;
        labels[row] = static_cast<int32_t>(cluster);
      }
    }
  }
  return labels;
}

ReferenceFit ReferenceLloyd(const Matrix<double>& data, Matrix<double> centroids,
                            int max_iterations) {
  ReferenceFit fit;
  std::vector<int32_t> previous;
  for (fit.iterations = 1; fit.iterations <= max_iterations; ++fit.iterations) {
    fit.labels = ReferenceAssign(data, centroids);
    Matrix<double> sums(centroids.rows(), data.cols());
    std::vector<double> counts(centroids.rows(), 0.0);
    for (size_t row = 0; row < data.rows(); ++row) {
      counts[fit.labels[row]] += 1;
      for (size_t col = 0; col < data.cols(); ++col) sums(fit.labels[row], col) += data(row, col);
    }
    for (size_t cluster = 0; cluster < centroids.rows(); ++cluster) {
      if (counts[cluster] == 0) continue;
      for (size_t col = 0; col < data.cols(); ++col) {
        centroids(cluster, col) = sums(cluster, col) / counts[cluster];
      }
    }
    if (fit.labels == previous) break;
    previous = fit.labels;
  }
  fit.iterations = std::min(fit.iterations, max_iterations);
  fit.labels = ReferenceAssign(data, centroids);
  for (size_t row = 0; row < data.rows(); ++row) {
    for (size_t col = 0; col < data.cols(); ++col) {
      const double diff = data(row, col) - centroids(fit.labels[row], col);
      fit.inertia += diff * diff;
    }
  }
  fit.centroids = std::move(centroids);
  return fit;
}

// The first k rows as initial centroids (deterministic, not well spread: Lloyd has work).
Matrix<double> FirstRows(const Matrix<double>& data, size_t k) {
  Matrix<double> initial(k, data.cols());
  std::copy_n(data.values().begin(), k * data.cols(), initial.values().begin());
  return initial;
}

KMeansOptions Options(int k, KMeansAlgorithm algorithm = KMeansAlgorithm::kAuto) {
  KMeansOptions options;
  options.k = k;
  options.algorithm = algorithm;
  options.threads = 2;
  return options;
}

TEST(KMeansTest, RecoversWellSeparatedBlobs) {
  const Blobs blobs = MakeBlobs(5000, 6, 5, 1.0, 7);
  KMeansOptions options = Options(5);
  options.restarts = 3;
  auto fit = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_GE(AdjustedRandIndex(fit->labels, blobs.truth), 0.95);
  EXPECT_TRUE(fit->converged);
  ASSERT_EQ(fit->sizes.size(), 5u);
  for (int64_t size : fit->sizes) EXPECT_NEAR(size, 1000, 50);
}

TEST(KMeansTest, PlainSeedingAndFloatAlsoRecoverBlobs) {
  const Blobs blobs = MakeBlobs(5000, 6, 5, 1.0, 8);
  KMeansOptions options = Options(5);
  options.seeding = KMeansSeeding::kPlusPlus;
  options.restarts = 4;
  const Matrix<float> points = Cast<float>(blobs.points);
  auto fit = RunKMeans(points.view(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_GE(AdjustedRandIndex(fit->labels, blobs.truth), 0.95);
}

TEST(KMeansTest, MatchesReferenceLloydInDouble) {
  const Blobs blobs = MakeBlobs(4000, 5, 6, 3.0, 11);  // overlapping: many iterations
  const Matrix<double> initial = FirstRows(blobs.points, 6);
  const ReferenceFit reference = ReferenceLloyd(blobs.points, initial, 100);
  for (KMeansAlgorithm algorithm : {KMeansAlgorithm::kLloyd, KMeansAlgorithm::kHamerly}) {
    KMeansOptions options = Options(6, algorithm);
    options.tolerance = 0;
    options.max_iterations = 100;
    auto fit = RunKMeansFrom(blobs.points.view(), initial.view(), options);
    ASSERT_TRUE(fit.ok()) << fit.status().ToString();
    EXPECT_GT(fit->iterations, 5);
    EXPECT_EQ(fit->iterations, reference.iterations);
    EXPECT_EQ(fit->labels, reference.labels);
    EXPECT_NEAR(fit->inertia, reference.inertia, 1e-9 * reference.inertia);
    for (size_t index = 0; index < initial.values().size(); ++index) {
      EXPECT_NEAR(fit->centroids.values()[index], reference.centroids.values()[index], 1e-9);
    }
  }
}

TEST(KMeansTest, StopsAtMaxIterationsLikeReference) {
  const Blobs blobs = MakeBlobs(4000, 5, 6, 3.0, 11);
  const Matrix<double> initial = FirstRows(blobs.points, 6);
  const ReferenceFit reference = ReferenceLloyd(blobs.points, initial, 3);
  KMeansOptions options = Options(6, KMeansAlgorithm::kHamerly);
  options.tolerance = 0;
  options.max_iterations = 3;
  auto fit = RunKMeansFrom(blobs.points.view(), initial.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->iterations, 3);
  EXPECT_FALSE(fit->converged);
  EXPECT_EQ(fit->labels, reference.labels);
  EXPECT_NEAR(fit->inertia, reference.inertia, 1e-9 * reference.inertia);
}

TEST(KMeansTest, FloatIsCloseToReference) {
  const Blobs blobs = MakeBlobs(4000, 5, 6, 3.0, 11);
  const Matrix<double> initial = FirstRows(blobs.points, 6);
  const ReferenceFit reference = ReferenceLloyd(blobs.points, initial, 100);
  const Matrix<float> points = Cast<float>(blobs.points), initial32 = Cast<float>(initial);
  KMeansOptions options = Options(6, KMeansAlgorithm::kHamerly);
  options.tolerance = 0;
  auto fit = RunKMeansFrom(points.view(), initial32.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->inertia, reference.inertia, 1e-4 * reference.inertia);
  EXPECT_GE(AdjustedRandIndex(fit->labels, reference.labels), 0.99);
}

TEST(KMeansTest, BoundedAndPlainLloydAgree) {
  const Blobs blobs = MakeBlobs(6000, 8, 8, 2.5, 5);
  KMeansOptions options = Options(8, KMeansAlgorithm::kLloyd);
  auto plain = RunKMeans(blobs.points.view(), options);
  options.algorithm = KMeansAlgorithm::kHamerly;
  auto bounded = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(plain.ok() && bounded.ok());
  EXPECT_EQ(plain->labels, bounded->labels);
  EXPECT_EQ(plain->iterations, bounded->iterations);
  EXPECT_EQ(plain->centroids.values(), bounded->centroids.values());
  EXPECT_EQ(plain->inertia, bounded->inertia);
}

TEST(KMeansTest, SameSeedAndThreadsGiveIdenticalResults) {
  const Blobs blobs = MakeBlobs(5000, 6, 5, 2.0, 3);
  KMeansOptions options = Options(5);
  options.restarts = 2;
  options.seed = 42;
  for (int threads : {1, 3}) {
    options.threads = threads;
    auto first = RunKMeans(blobs.points.view(), options);
    auto second = RunKMeans(blobs.points.view(), options);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(first->centroids.values(), second->centroids.values());
    EXPECT_EQ(first->labels, second->labels);
    EXPECT_EQ(first->inertia, second->inertia);
  }
}

TEST(KMeansTest, ThreadCountsReachTheSamePartition) {
  const Blobs blobs = MakeBlobs(5000, 6, 5, 1.0, 4);
  KMeansOptions options = Options(5);
  options.seed = 9;
  options.threads = 1;
  auto one = RunKMeans(blobs.points.view(), options);
  options.threads = 4;
  auto four = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(one.ok() && four.ok());
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(one->labels, four->labels), 1.0);
  EXPECT_NEAR(one->inertia, four->inertia, 1e-9 * one->inertia);
}

TEST(KMeansTest, MiniBatchIsCloseToFullInertia) {
  const Blobs blobs = MakeBlobs(20000, 6, 5, 1.5, 6);
  KMeansOptions options = Options(5);
  options.seed = 1;
  auto full = RunKMeans(blobs.points.view(), options);
  options.algorithm = KMeansAlgorithm::kMiniBatch;
  options.batch_size = 512;
  auto mini = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(full.ok() && mini.ok());
  EXPECT_LE(mini->inertia, 1.03 * full->inertia);
  EXPECT_GE(AdjustedRandIndex(mini->labels, blobs.truth), 0.95);
  // kAuto switches at mini_batch_rows.
  options.algorithm = KMeansAlgorithm::kAuto;
  options.mini_batch_rows = 20000;
  auto automatic = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ(automatic->labels, mini->labels);
}

TEST(KMeansTest, ReseedsAnEmptyClusterWithTheFarthestRow) {
  Blobs blobs = MakeBlobs(3000, 4, 3, 1.0, 12);
  Matrix<double> initial = FirstRows(blobs.points, 4);
  for (size_t col = 0; col < 4; ++col) initial(3, col) = 1e6;  // far from every row
  KMeansOptions options = Options(4, KMeansAlgorithm::kHamerly);
  auto fit = RunKMeansFrom(blobs.points.view(), initial.view(), options);
  ASSERT_TRUE(fit.ok());
  EXPECT_GE(fit->reseeded, 1);
  for (int64_t size : fit->sizes) EXPECT_GT(size, 0);
  EXPECT_LT(fit->centroids(3, 0), 100.0);
  // The same with plain Lloyd, identical.
  options.algorithm = KMeansAlgorithm::kLloyd;
  auto plain = RunKMeansFrom(blobs.points.view(), initial.view(), options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->labels, fit->labels);
  EXPECT_EQ(plain->reseeded, fit->reseeded);
}

TEST(KMeansTest, RejectsBadInput) {
  Matrix<double> points(10, 3, 1.0);
  EXPECT_FALSE(RunKMeans(points.view(), Options(0)).ok());
  auto too_many = RunKMeans(points.view(), Options(11));
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_many.status().message().find("k = 11"), std::string::npos);
  EXPECT_FALSE(RunKMeans(MatrixView<double>{points.values().data(), 0, 3}, Options(1)).ok());
  EXPECT_FALSE(RunKMeans(MatrixView<double>{points.values().data(), 10, 0}, Options(1)).ok());
  points(7, 2) = std::numeric_limits<double>::quiet_NaN();
  auto nan = RunKMeans(points.view(), Options(2));
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("row 7, column 2"), std::string::npos)
      << nan.status().message();
  points(7, 2) = 1.0;
  points(3, 0) = std::numeric_limits<double>::infinity();
  auto inf = SeedCentroids(points.view(), Options(2));
  ASSERT_FALSE(inf.ok());
  EXPECT_NE(inf.status().message().find("row 3, column 0"), std::string::npos);
  KMeansOptions bad = Options(2);
  bad.restarts = 0;
  points(3, 0) = 1.0;
  EXPECT_FALSE(RunKMeans(points.view(), bad).ok());
  Matrix<double> initial(2, 2);
  EXPECT_FALSE(RunKMeansFrom(points.view(), initial.view(), Options(2)).ok());
}

TEST(KMeansTest, DegenerateInputsHaveDefinedResults) {
  const Matrix<double> same(50, 3, 4.5);
  auto single = RunKMeans(same.view(), Options(1));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->inertia, 0.0);
  EXPECT_EQ(single->centroids(0, 2), 4.5);
  auto several = RunKMeans(same.view(), Options(3));  // one distinct row, three clusters
  ASSERT_TRUE(several.ok());
  EXPECT_EQ(several->inertia, 0.0);
  EXPECT_EQ(several->sizes[0] + several->sizes[1] + several->sizes[2], 50);

  const Matrix<double> one_row(1, 4, 2.0);
  auto lone = RunKMeans(one_row.view(), Options(1));
  ASSERT_TRUE(lone.ok());
  EXPECT_EQ(lone->labels, std::vector<int32_t>{0});
  EXPECT_EQ(lone->inertia, 0.0);

  Matrix<double> distinct(6, 2);
  for (size_t row = 0; row < 6; ++row) distinct(row, 0) = static_cast<double>(row * row);
  auto each = RunKMeans(distinct.view(), Options(6));  // n == k, constant column 1
  ASSERT_TRUE(each.ok());
  EXPECT_EQ(each->inertia, 0.0);
  EXPECT_EQ(std::set<int32_t>(each->labels.begin(), each->labels.end()).size(), 6u);
}

TEST(KMeansTest, ObjectFitsAndPredicts) {
  const Blobs blobs = MakeBlobs(3000, 4, 3, 1.0, 21);
  KMeans model(Options(3));
  EXPECT_FALSE(model.Predict(blobs.points.view()).ok());
  ASSERT_TRUE(model.Fit(blobs.points.view()).ok());
  auto predicted = model.Predict(blobs.points.view());
  ASSERT_TRUE(predicted.ok());
  EXPECT_EQ(*predicted, model.labels());
  EXPECT_EQ(AssignNearest(blobs.points.view(), model.centroids().view(), 1), model.labels());
  Matrix<double> wrong(2, 5);
  EXPECT_FALSE(model.Predict(wrong.view()).ok());
}

TEST(KMeansTest, ProgressReportsEveryIteration) {
  const Blobs blobs = MakeBlobs(2000, 4, 4, 2.0, 2);
  KMeansOptions options = Options(4);
  std::vector<KMeansProgress> reports;
  options.progress = [&reports](const KMeansProgress& report) { reports.push_back(report); };
  auto fit = RunKMeans(blobs.points.view(), options);
  ASSERT_TRUE(fit.ok());
  ASSERT_EQ(static_cast<int>(reports.size()), fit->iterations);
  for (size_t index = 1; index < reports.size(); ++index) {
    EXPECT_LE(reports[index].inertia, reports[index - 1].inertia * (1 + 1e-12));
  }
  EXPECT_NEAR(reports.back().inertia, fit->inertia, 1e-3 * fit->inertia);
}

}  // namespace
}  // namespace segmenta
