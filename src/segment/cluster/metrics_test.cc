// Cluster-quality metrics against scikit-learn's values (tests/golden/cluster, written by
// make_golden.py there), plus sampling, threads, ids and the error rules.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "segment/cluster/golden_test_util.h"
#include "segmenta/cluster_metrics.h"

namespace segmenta {
namespace {

using cluster_golden::kGolden;
using cluster_golden::ReadMatrix;
using cluster_golden::ReadRecords;

std::vector<int32_t> ToLabels(const std::vector<double>& values) {
  return std::vector<int32_t>(values.begin(), values.end());
}

// Points around `clusters` well-separated centres in `dims` dimensions.
Matrix<double> Blobs(size_t rows, size_t dims, int clusters, std::vector<int32_t>* labels) {
  std::mt19937_64 random(11);
  std::normal_distribution<double> noise(0.0, 1.0);
  Matrix<double> points(rows, dims);
  labels->resize(rows);
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    int32_t cluster = static_cast<int32_t>(row_idx % clusters);
    (*labels)[row_idx] = cluster;
    for (size_t dim = 0; dim < dims; ++dim) {
      points(row_idx, dim) = 6.0 * ((cluster + dim) % clusters) + noise(random);
    }
  }
  return points;
}

class MetricsGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = ReadMatrix(kGolden + "metrics_data.txt");
    expected_ = ReadRecords(kGolden + "metrics_expected.txt");
    ASSERT_EQ(data_.rows(), 240u);
    ASSERT_EQ(data_.cols(), 3u);
  }
  std::vector<int32_t> Labels(const std::string& name) {
    return ToLabels(expected_.at("labels_" + name));
  }
  double Expected(const std::string& key) { return expected_.at(key).at(0); }

  Matrix<double> data_;
  std::map<std::string, std::vector<double>> expected_;
};

TEST_F(MetricsGoldenTest, SilhouetteEqualsScikitLearn) {
  for (const std::string name : {"truth", "kmeans", "gaps"}) {
    Result<double> score = Silhouette(data_.view(), Labels(name));
    ASSERT_TRUE(score.ok()) << score.status().ToString();
    EXPECT_NEAR(*score, Expected("silhouette_" + name), 1e-9) << name;
  }
}

TEST_F(MetricsGoldenTest, CalinskiHarabaszAndDaviesBouldinEqualScikitLearn) {
  for (const std::string name : {"truth", "kmeans", "gaps"}) {
    int k = static_cast<int>(Expected("k_" + name));
    Result<double> ch = CalinskiHarabasz(data_.view(), Labels(name), k);
    Result<double> db = DaviesBouldin(data_.view(), Labels(name), k);
    ASSERT_TRUE(ch.ok() && db.ok()) << name;
    double expected_ch = Expected("calinski_harabasz_" + name);
    double expected_db = Expected("davies_bouldin_" + name);
    EXPECT_NEAR(*ch, expected_ch, 1e-9 * expected_ch) << name;
    EXPECT_NEAR(*db, expected_db, 1e-9 * expected_db) << name;
  }
}

TEST_F(MetricsGoldenTest, DuplicatePointsFollowScikitLearnsZeroOverZeroRule) {
  Matrix<double> tiny = ReadMatrix(kGolden + "metrics_tiny.txt");
  std::vector<int32_t> labels = Labels("tiny");
  EXPECT_NEAR(*Silhouette(tiny.view(), labels), Expected("silhouette_tiny"), 1e-12);
  EXPECT_NEAR(*CalinskiHarabasz(tiny.view(), labels, 3), Expected("calinski_harabasz_tiny"), 1e-12);
  EXPECT_NEAR(*DaviesBouldin(tiny.view(), labels, 3), Expected("davies_bouldin_tiny"), 1e-12);
}

TEST_F(MetricsGoldenTest, AdjustedRandIndexEqualsScikitLearn) {
  EXPECT_NEAR(AdjustedRandIndex(Labels("truth"), Labels("kmeans")), Expected("ari_truth_kmeans"),
              1e-12);
  EXPECT_NEAR(AdjustedRandIndex(Labels("truth"), Labels("gaps")), Expected("ari_truth_gaps"),
              1e-12);
  EXPECT_NEAR(AdjustedRandIndex(Labels("kmeans"), Labels("random")), Expected("ari_kmeans_random"),
              1e-12);
}

TEST_F(MetricsGoldenTest, SilhouetteIsTheSameOnAnyThreadCount) {
  std::vector<int32_t> labels = Labels("kmeans");
  SilhouetteOptions options;
  options.threads = 1;
  double one = *Silhouette(data_.view(), labels, options);
  options.threads = 3;
  double three = *Silhouette(data_.view(), labels, options);
  EXPECT_NEAR(one, three, 1e-13);
  EXPECT_EQ(three, *Silhouette(data_.view(), labels, options));
}

TEST(MetricsSilhouetteTest, SampleOfAllRowsIsExact) {
  std::vector<int32_t> labels;
  Matrix<double> points = Blobs(500, 4, 3, &labels);
  SilhouetteOptions sampled;
  sampled.sample_size = 500;
  EXPECT_DOUBLE_EQ(*Silhouette(points.view(), labels, sampled), *Silhouette(points.view(), labels));
  sampled.sample_size = 10'000;
  EXPECT_DOUBLE_EQ(*Silhouette(points.view(), labels, sampled), *Silhouette(points.view(), labels));
}

TEST(MetricsSilhouetteTest, SampleIsSeededAndCloseToExact) {
  std::vector<int32_t> labels;
  Matrix<double> points = Blobs(4000, 8, 5, &labels);
  double exact = *Silhouette(points.view(), labels);
  SilhouetteOptions sampled;
  sampled.sample_size = 1000;
  sampled.seed = 3;
  double first = *Silhouette(points.view(), labels, sampled);
  EXPECT_EQ(first, *Silhouette(points.view(), labels, sampled));
  sampled.seed = 4;
  double other_seed = *Silhouette(points.view(), labels, sampled);
  EXPECT_NE(first, other_seed);
  EXPECT_NEAR(first, exact, 0.02);
  EXPECT_NEAR(other_seed, exact, 0.02);
}

TEST(MetricsSilhouetteTest, ReadsOnlyTheSampledRows) {
  std::vector<int32_t> labels;
  Matrix<double> points = Blobs(1000, 2, 4, &labels);
  SilhouetteOptions sampled;
  sampled.sample_size = 400;
  double clean = *Silhouette(points.view(), labels, sampled);
  // Put a NaN in every row the sample skipped: same answer; in all rows: an error.
  Matrix<double> poisoned = points;
  size_t poisoned_rows = 0;
  for (size_t row_idx = 0; row_idx < points.rows(); ++row_idx) {
    poisoned(row_idx, 1) = std::numeric_limits<double>::quiet_NaN();
    if (Silhouette(poisoned.view(), labels, sampled).ok()) {
      ++poisoned_rows;
      continue;
    }
    poisoned(row_idx, 1) = points(row_idx, 1);  // a sampled row: put it back
  }
  EXPECT_EQ(poisoned_rows, 600u);
  EXPECT_EQ(*Silhouette(poisoned.view(), labels, sampled), clean);
}

TEST(MetricsAdjustedRandTest, IgnoresIdsAndHandlesEdges) {
  std::vector<int32_t> a = {0, 0, 1, 1, 2, 2, 2};
  std::vector<int32_t> renamed = {-7, -7, 1'000'000'000, 1'000'000'000, 5, 5, 5};
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(a, renamed), 1.0);
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(a, a), 1.0);
  EXPECT_DOUBLE_EQ(AdjustedRandIndex({}, {}), 1.0);
  std::vector<int32_t> all_one(7, 4);
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(all_one, all_one), 1.0);
  // Hand-computed: pairs together in a: 1 + 1 + 3 = 5 of 21; b joins rows 1 and 2.
  std::vector<int32_t> b = {0, 1, 1, 2, 3, 3, 3};
  EXPECT_NEAR(AdjustedRandIndex(a, b), AdjustedRandIndex(b, a), 1e-15);
  EXPECT_LT(AdjustedRandIndex(a, b), 1.0);
}

TEST(MetricsErrorsTest, RejectBadLabelsAndData) {
  std::vector<int32_t> labels;
  Matrix<double> points = Blobs(10, 2, 2, &labels);
  std::vector<int32_t> short_labels(9, 0);
  EXPECT_EQ(Silhouette(points.view(), short_labels).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CalinskiHarabasz(points.view(), short_labels, 2).ok());
  std::vector<int32_t> one_cluster(10, 1);
  EXPECT_FALSE(Silhouette(points.view(), one_cluster).ok());
  EXPECT_FALSE(CalinskiHarabasz(points.view(), one_cluster, 2).ok());
  EXPECT_FALSE(DaviesBouldin(points.view(), one_cluster, 2).ok());
  std::vector<int32_t> every_row_alone(10);
  for (size_t row_idx = 0; row_idx < 10; ++row_idx) every_row_alone[row_idx] = row_idx;
  EXPECT_FALSE(Silhouette(points.view(), every_row_alone).ok());
  EXPECT_FALSE(CalinskiHarabasz(points.view(), every_row_alone, 10).ok());
  std::vector<int32_t> out_of_range = labels;
  out_of_range[3] = 2;
  EXPECT_FALSE(CalinskiHarabasz(points.view(), out_of_range, 2).ok());
  out_of_range[3] = -1;
  EXPECT_FALSE(DaviesBouldin(points.view(), out_of_range, 2).ok());
  EXPECT_FALSE(Silhouette(points.view(), out_of_range).ok());
  Matrix<double> bad = points;
  bad(4, 0) = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(Silhouette(bad.view(), labels).ok());
  bad(4, 0) = std::numeric_limits<double>::quiet_NaN();
  Result<double> nan = CalinskiHarabasz(bad.view(), labels, 2);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("NaN"), std::string::npos);
  EXPECT_FALSE(DaviesBouldin(bad.view(), labels, 2).ok());
  MatrixView<double> no_columns{points.values().data(), 10, 0};
  EXPECT_FALSE(Silhouette(no_columns, labels).ok());
}

TEST(MetricsCalinskiHarabaszTest, IsOneWhenClustersHaveNoSpread) {
  Matrix<double> points(4, 1);
  points(2, 0) = points(3, 0) = 5.0;
  std::vector<int32_t> labels = {0, 0, 1, 1};
  EXPECT_EQ(*CalinskiHarabasz(points.view(), labels, 2), 1.0);
  EXPECT_EQ(*DaviesBouldin(points.view(), labels, 2), 0.0);
}

}  // namespace
}  // namespace segmenta
