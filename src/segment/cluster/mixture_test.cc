// Gaussian mixtures: EM from the same start as scikit-learn gives its model
// (tests/golden/cluster/mixture_*.txt, written by make_golden.py there); recovery of
// blobs and of a known mixture's parameters; determinism; scoring new rows; degenerate
// inputs and errors.
#include "segmenta/mixture.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
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

Matrix<double> Reshape(const std::vector<double>& values, size_t cols) {
  Matrix<double> out(values.size() / cols, cols);
  out.values() = values;
  return out;
}

void ExpectRelativelyNear(const std::vector<double>& got, const std::vector<double>& want,
                          double tolerance, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t pos = 0; pos < got.size(); ++pos) {
    EXPECT_NEAR(got[pos], want[pos], tolerance * std::max(1.0, std::abs(want[pos])))
        << what << "[" << pos << "]";
  }
}

std::vector<double> Flatten(const std::vector<Matrix<double>>& matrices) {
  std::vector<double> out;
  for (const Matrix<double>& matrix : matrices) {
    out.insert(out.end(), matrix.values().begin(), matrix.values().end());
  }
  return out;
}

// n rows from a mixture: component c with probability weights[c], mean means[c] and
// covariance factors[c]·factors[c]ᵀ. truth[r] is row r's component.
Matrix<double> SampleMixture(size_t rows, const std::vector<double>& weights,
                             const std::vector<Eigen::VectorXd>& means,
                             const std::vector<Eigen::MatrixXd>& factors, uint64_t seed,
                             std::vector<int32_t>* truth) {
  std::mt19937_64 random(seed);
  std::discrete_distribution<int32_t> pick(weights.begin(), weights.end());
  std::normal_distribution<double> normal(0.0, 1.0);
  size_t dims = means[0].size();
  Matrix<double> out(rows, dims);
  truth->resize(rows);
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    int32_t comp = pick(random);
    Eigen::VectorXd noise(dims);
    for (size_t dim = 0; dim < dims; ++dim) noise[dim] = normal(random);
    Eigen::VectorXd point = means[comp] + factors[comp] * noise;
    for (size_t dim = 0; dim < dims; ++dim) out(row_idx, dim) = point[dim];
    (*truth)[row_idx] = comp;
  }
  return out;
}

// Four well-separated spherical blobs in 3 dimensions.
Matrix<double> Blobs(size_t rows, std::vector<int32_t>* truth) {
  std::vector<Eigen::VectorXd> means = {Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(8, 0, 0),
                                        Eigen::Vector3d(0, 8, 0), Eigen::Vector3d(0, 0, 8)};
  std::vector<Eigen::MatrixXd> factors(4, Eigen::MatrixXd::Identity(3, 3));
  return SampleMixture(rows, {0.25, 0.25, 0.25, 0.25}, means, factors, 5, truth);
}

class MixtureGoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    data_ = ReadMatrix(kGolden + "mixture_data.txt");
    expected_ = ReadRecords(kGolden + "mixture_expected.txt");
    ASSERT_EQ(data_.rows(), 450u);
  }
  const std::vector<double>& Expected(const std::string& what) {
    return expected_.at(GetParam() + "_" + what);
  }

  Matrix<double> data_;
  std::map<std::string, std::vector<double>> expected_;
};

TEST_P(MixtureGoldenTest, EmFromTheSameStartGivesScikitLearnsModel) {
  const std::vector<double>& settings = Expected("options");  // k, full, tol, max_iter
  GaussianMixtureOptions options;
  options.k = static_cast<int>(settings[0]);
  options.covariance = settings[1] == 1.0 ? Covariance::kFull : Covariance::kDiagonal;
  options.tolerance = settings[2];
  options.max_iterations = static_cast<int>(settings[3]);
  Matrix<double> start = Reshape(Expected("initial_means"), data_.cols());
  Result<GaussianMixtureFit> fit = FitGaussianMixtureFrom(data_.view(), start.view(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();

  EXPECT_EQ(fit->iterations, Expected("iterations")[0]);
  EXPECT_EQ(fit->converged, Expected("converged")[0] == 1.0);
  constexpr double kClose = 1e-7;
  ExpectRelativelyNear(fit->weights, Expected("weights"), kClose, "weights");
  ExpectRelativelyNear(fit->means.values(), Expected("means"), kClose, "means");
  ExpectRelativelyNear(Flatten(fit->covariances), Expected("covariances"), kClose, "covariances");
  EXPECT_NEAR(fit->mean_log_likelihood, Expected("mean_log_likelihood")[0],
              1e-9 * std::abs(Expected("mean_log_likelihood")[0]));
  EXPECT_NEAR(fit->bic, Expected("bic")[0], 1e-9 * std::abs(Expected("bic")[0]));
  std::vector<double> head(
      fit->probabilities.values().begin(),
      fit->probabilities.values().begin() + 5 * static_cast<ptrdiff_t>(options.k));
  ExpectRelativelyNear(head, Expected("probabilities_head"), kClose, "probabilities");
  std::vector<int32_t> labels(Expected("labels").begin(), Expected("labels").end());
  EXPECT_EQ(fit->labels, labels);
}

INSTANTIATE_TEST_SUITE_P(MixtureGolden, MixtureGoldenTest,
                         ::testing::Values("full_k3", "diag_k3", "full_k4_iter7", "diag_k4_iter7",
                                           "full_k3_tight"));

TEST(MixtureFitTest, RecoversBlobs) {
  std::vector<int32_t> truth;
  Matrix<double> points = Blobs(2000, &truth);
  for (Covariance covariance : {Covariance::kFull, Covariance::kDiagonal}) {
    GaussianMixtureOptions options;
    options.k = 4;
    options.covariance = covariance;
    Result<GaussianMixtureFit> fit = FitGaussianMixture(points.view(), options);
    ASSERT_TRUE(fit.ok()) << fit.status().ToString();
    EXPECT_GE(AdjustedRandIndex(truth, fit->labels), 0.95);
    EXPECT_TRUE(fit->converged);
    EXPECT_EQ(fit->parameters, covariance == Covariance::kFull ? 4 * 6 + 12 + 3 : 4 * 3 + 12 + 3);
    EXPECT_NEAR(fit->bic, -2.0 * fit->log_likelihood + fit->parameters * std::log(2000.0), 1e-6);
    for (size_t row_idx = 0; row_idx < points.rows(); ++row_idx) {
      double total = 0.0;
      for (int comp = 0; comp < 4; ++comp) total += fit->probabilities(row_idx, comp);
      ASSERT_NEAR(total, 1.0, 1e-12);
    }
  }
}

// Samples from a known mixture (its own generative process) and fits it back: weights,
// means and covariances within a few standard errors.
TEST(MixtureFitTest, RecoversTheParametersOfAKnownMixture) {
  std::vector<double> weights = {0.5, 0.3, 0.2};
  std::vector<Eigen::VectorXd> means = {Eigen::Vector2d(0, 0), Eigen::Vector2d(6, 1),
                                        Eigen::Vector2d(1, 7)};
  std::vector<Eigen::MatrixXd> factors(3, Eigen::MatrixXd(2, 2));
  factors[0] << 1.0, 0.0, 0.8, 0.6;  // correlated
  factors[1] << 0.5, 0.0, 0.0, 1.5;
  factors[2] << 1.2, 0.0, -0.9, 0.5;
  std::vector<int32_t> truth;
  Matrix<double> points = SampleMixture(20000, weights, means, factors, 7, &truth);
  GaussianMixtureOptions options;
  options.k = 3;
  options.tolerance = 1e-8;
  options.max_iterations = 500;
  options.restarts = 2;
  Result<GaussianMixtureFit> fit = FitGaussianMixture(points.view(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  for (int comp = 0; comp < 3; ++comp) {
    int match = 0;  // the fitted component nearest to the true mean
    for (int other = 1; other < 3; ++other) {
      auto gap = [&](int fitted) {
        return std::hypot(fit->means(fitted, 0) - means[comp][0],
                          fit->means(fitted, 1) - means[comp][1]);
      };
      if (gap(other) < gap(match)) match = other;
    }
    // Standard errors: weight √(w(1-w)/n) ≤ 0.0036; mean σ/√(n·w) ≤ 0.03.
    EXPECT_NEAR(fit->weights[match], weights[comp], 0.015);
    EXPECT_NEAR(fit->means(match, 0), means[comp][0], 0.1);
    EXPECT_NEAR(fit->means(match, 1), means[comp][1], 0.1);
    Eigen::MatrixXd covariance = factors[comp] * factors[comp].transpose();
    for (int row = 0; row < 2; ++row) {
      for (int col = 0; col < 2; ++col) {
        EXPECT_NEAR(fit->covariances[match](row, col), covariance(row, col), 0.1);
      }
    }
  }
}

TEST(MixtureFitTest, IsDeterministicAndScoresNewRowsLikeItsOwn) {
  std::vector<int32_t> truth;
  Matrix<double> points = Blobs(12000, &truth);
  GaussianMixtureOptions options;
  options.k = 4;
  options.threads = 2;
  options.seed = 9;
  Result<GaussianMixtureFit> first = FitGaussianMixture(points.view(), options);
  Result<GaussianMixtureFit> second = FitGaussianMixture(points.view(), options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->log_likelihood, second->log_likelihood);
  EXPECT_EQ(first->probabilities.values(), second->probabilities.values());
  EXPECT_EQ(first->means.values(), second->means.values());

  options.threads = 1;
  Result<GaussianMixtureFit> one_thread = FitGaussianMixture(points.view(), options);
  ASSERT_TRUE(one_thread.ok());
  EXPECT_NEAR(one_thread->log_likelihood, first->log_likelihood,
              1e-9 * std::abs(first->log_likelihood));

  Result<MixtureScores> scores = ScoreGaussianMixture(*first, points.view(), 2);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ(scores->probabilities.values(), first->probabilities.values());
  EXPECT_EQ(scores->labels, first->labels);
  double total = 0.0;
  for (double row_log_likelihood : scores->log_likelihood) total += row_log_likelihood;
  EXPECT_NEAR(total, first->log_likelihood, 1e-9 * std::abs(total));

  GaussianMixture mixture(options);
  EXPECT_FALSE(mixture.PredictProbabilities(points.view()).ok());
  ASSERT_TRUE(mixture.Fit(points.view()).ok());
  MatrixView<double> head{points.values().data(), 10, 3};
  Result<Matrix<double>> probabilities = mixture.PredictProbabilities(head);
  ASSERT_TRUE(probabilities.ok());
  for (size_t row_idx = 0; row_idx < 10; ++row_idx) {
    for (int comp = 0; comp < 4; ++comp) {
      EXPECT_NEAR((*probabilities)(row_idx, comp), mixture.fit().probabilities(row_idx, comp),
                  1e-12);
    }
  }
}

TEST(MixtureDegenerateTest, SingularCovariancesAreRegularised) {
  // Points on a line (a rank-1 covariance), a constant column, and identical rows.
  Matrix<double> line(200, 3);
  for (size_t row_idx = 0; row_idx < 200; ++row_idx) {
    double t = static_cast<double>(row_idx % 100) + (row_idx < 100 ? 0.0 : 1000.0);
    line(row_idx, 0) = t;
    line(row_idx, 1) = 2.0 * t;
    line(row_idx, 2) = 5.0;
  }
  Matrix<double> same(20, 2, 3.0);
  for (double regularization : {1e-6, 0.0}) {
    for (Covariance covariance : {Covariance::kFull, Covariance::kDiagonal}) {
      GaussianMixtureOptions options;
      options.k = 2;
      options.covariance = covariance;
      options.regularization = regularization;
      for (const Matrix<double>* points : {&line, &same}) {
        Result<GaussianMixtureFit> fit = FitGaussianMixture(points->view(), options);
        ASSERT_TRUE(fit.ok()) << fit.status().ToString();
        EXPECT_TRUE(std::isfinite(fit->log_likelihood));
        for (double value : fit->probabilities.values()) ASSERT_TRUE(std::isfinite(value));
      }
    }
  }
}

TEST(MixtureErrorsTest, RejectsBadInputs) {
  std::vector<int32_t> truth;
  Matrix<double> points = Blobs(50, &truth);
  GaussianMixtureOptions options;
  options.k = 51;
  EXPECT_EQ(FitGaussianMixture(points.view(), options).status().code(),
            StatusCode::kInvalidArgument);
  options.k = 0;
  EXPECT_FALSE(FitGaussianMixture(points.view(), options).ok());
  options.k = 2;
  options.restarts = 0;
  EXPECT_FALSE(FitGaussianMixture(points.view(), options).ok());
  options.restarts = 1;
  options.regularization = -1.0;
  EXPECT_FALSE(FitGaussianMixture(points.view(), options).ok());
  options.regularization = 1e-6;

  Matrix<double> bad = points;
  bad(7, 2) = std::numeric_limits<double>::quiet_NaN();
  Result<GaussianMixtureFit> nan = FitGaussianMixture(bad.view(), options);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("row 7, column 2"), std::string::npos);
  MatrixView<double> no_columns{points.values().data(), 50, 0};
  EXPECT_FALSE(FitGaussianMixture(no_columns, options).ok());

  Matrix<double> wrong_start(3, 3);
  EXPECT_FALSE(FitGaussianMixtureFrom(points.view(), wrong_start.view(), options).ok());
  Result<GaussianMixtureFit> fit = FitGaussianMixture(points.view(), options);
  ASSERT_TRUE(fit.ok());
  Matrix<double> two_columns(4, 2);
  EXPECT_FALSE(PredictProbabilities(*fit, two_columns.view()).ok());
  EXPECT_FALSE(PredictProbabilities(GaussianMixtureFit{}, points.view()).ok());
}

}  // namespace
}  // namespace segmenta
