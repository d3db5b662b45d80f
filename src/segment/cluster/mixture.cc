// Gaussian mixtures by EM (include/segmenta/mixture.h), step for step as scikit-learn's
// GaussianMixture so that the same start gives the same model.
//
// One pass over the rows does an E step and the following M step's sums: rows go by
// tiles of kTileRows through Eigen (differences from each component's mean, their
// transform by the inverse Cholesky factor, log-sum-exp, responsibilities), and the
// responsibility-weighted sums Σr, Σr(x-μ), Σr(x-μ)(x-μ)ᵀ are taken about the means the
// pass used, which after the first iterations are close to the new ones, so the
// covariance needs no second pass and loses no precision. Threads take contiguous row
// chunks (ParallelFor); their sums are added in chunk order.

#include "segmenta/mixture.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "segment/cluster/mixture_model.h"
#include "segmenta/kmeans.h"

namespace segmenta {
namespace {

using mixture_internal::CheckData;
using mixture_internal::CheckFinite;
using mixture_internal::CheckOptions;
using mixture_internal::ExpectationPass;
using mixture_internal::HardPass;
using mixture_internal::MakeFactorisable;
using mixture_internal::MakeModel;
using mixture_internal::MakePositive;
using mixture_internal::Model;
using mixture_internal::Parameters;
using mixture_internal::RowMatrix;
using mixture_internal::RowOutputs;
using mixture_internal::Statistics;
using mixture_internal::ThreadsFor;

// ---- M step ---------------------------------------------------------------------

// scikit-learn's _estimate_gaussian_parameters from sums about `shifts`: counts get
// 10·ε, the covariance is about the new mean, regularisation is added to the diagonal.
// Weights are counts / rows for the initial step (scikit-learn's _initialize) and
// counts / Σ counts after (its _m_step).
Result<Parameters> Maximise(const Statistics& stats, const Eigen::MatrixXd& shifts, size_t rows,
                            Covariance covariance, double regularization, bool initial) {
  Eigen::VectorXd counts = stats.mass.array() + 10.0 * std::numeric_limits<double>::epsilon();
  Parameters params;
  params.weights = counts / (initial ? static_cast<double>(rows) : counts.sum());
  params.means.resize(shifts.rows(), shifts.cols());
  for (Eigen::Index comp = 0; comp < shifts.rows(); ++comp) {
    double mass = stats.mass[comp];
    Eigen::RowVectorXd first = stats.first.row(comp);
    params.means.row(comp) = (first + mass * shifts.row(comp)) / counts[comp];
    Eigen::MatrixXd cov = stats.second[comp];
    if (covariance == Covariance::kFull) {
      if (mass > 0.0) cov -= first.transpose() * first / mass;
      cov /= counts[comp];
      cov = cov.selfadjointView<Eigen::Lower>();  // exactly symmetric
      cov.diagonal().array() += regularization;
      SEG_RETURN_IF_ERROR(MakeFactorisable(cov));
    } else {
      if (mass > 0.0) cov.array() -= first.array().square() / mass;
      cov = cov.cwiseMax(0.0) / counts[comp];
      cov.array() += regularization;
      MakePositive(cov);
    }
    params.covariances.push_back(std::move(cov));
  }
  return params;
}

// ---- EM -------------------------------------------------------------------------

struct EmRun {
  Parameters params;
  double lower_bound = -std::numeric_limits<double>::infinity();  // last E step's mean
  int iterations = 0;
  bool converged = false;
};

// scikit-learn's loop: E step (mean log-likelihood under the current model), M step,
// stop when that mean moved by less than the tolerance.
Result<EmRun> RunEm(MatrixView<double> data, Parameters start,
                    const GaussianMixtureOptions& options, int threads) {
  EmRun run;
  run.params = std::move(start);
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    SEG_ASSIGN_OR_RETURN(Model model, MakeModel(run.params, options.covariance));
    Statistics stats = ExpectationPass(data, model, /*accumulate=*/true, {}, threads);
    double previous = run.lower_bound;
    run.lower_bound = stats.log_likelihood / static_cast<double>(data.rows);
    SEG_ASSIGN_OR_RETURN(run.params,
                         Maximise(stats, run.params.means, data.rows, options.covariance,
                                  options.regularization, /*initial=*/false));
    run.iterations = iteration;
    if (std::abs(run.lower_bound - previous) < options.tolerance) {
      run.converged = true;
      break;
    }
  }
  return run;
}

// The initial model from hard responsibilities: one M step.
Result<Parameters> HardStart(MatrixView<double> data, const std::vector<int32_t>& labels,
                             const Eigen::MatrixXd& shifts, const GaussianMixtureOptions& options,
                             int threads) {
  Statistics stats = HardPass(data, labels, shifts, options.covariance, threads);
  return Maximise(stats, shifts, data.rows, options.covariance, options.regularization,
                  /*initial=*/true);
}

Eigen::MatrixXd ToEigen(MatrixView<double> matrix) {
  return Eigen::Map<const RowMatrix>(matrix.data, matrix.rows, matrix.cols);
}

Matrix<double> FromEigen(const Eigen::MatrixXd& matrix) {
  Matrix<double> out(matrix.rows(), matrix.cols());
  Eigen::Map<RowMatrix>(out.values().data(), matrix.rows(), matrix.cols()) = matrix;
  return out;
}

int ParameterCount(size_t k, size_t d, Covariance covariance) {
  size_t per_covariance = covariance == Covariance::kFull ? d * (d + 1) / 2 : d;
  return static_cast<int>(k * per_covariance + k * d + k - 1);
}

// The fit from a finished run: a last E step under the final model gives the
// responsibilities, labels and log-likelihood (scikit-learn's score(X)).
Result<GaussianMixtureFit> Finish(MatrixView<double> data, EmRun run,
                                  const GaussianMixtureOptions& options, int threads) {
  SEG_ASSIGN_OR_RETURN(Model model, MakeModel(run.params, options.covariance));
  GaussianMixtureFit fit;
  fit.covariance = options.covariance;
  fit.probabilities = Matrix<double>(data.rows, options.k);
  fit.labels.resize(data.rows);
  RowOutputs out{&fit.probabilities, &fit.labels, nullptr};
  Statistics stats = ExpectationPass(data, model, /*accumulate=*/false, out, threads);
  fit.means = FromEigen(run.params.means);
  fit.weights.assign(run.params.weights.data(), run.params.weights.data() + options.k);
  for (const Eigen::MatrixXd& cov : run.params.covariances)
    fit.covariances.push_back(FromEigen(cov));
  double rows = static_cast<double>(data.rows);
  fit.log_likelihood = stats.log_likelihood;
  fit.mean_log_likelihood = stats.log_likelihood / rows;
  fit.parameters = ParameterCount(options.k, data.cols, options.covariance);
  fit.bic = -2.0 * fit.log_likelihood + fit.parameters * std::log(rows);
  fit.iterations = run.iterations;
  fit.converged = run.converged;
  return fit;
}

Result<Parameters> KMeansStart(MatrixView<double> data, const GaussianMixtureOptions& options,
                               uint64_t seed, int threads) {
  KMeansOptions kmeans;
  kmeans.k = options.k;
  kmeans.seed = seed;
  kmeans.threads = options.threads;
  kmeans.restarts = 1;
  SEG_ASSIGN_OR_RETURN(KMeansFit<double> clusters, RunKMeans<double>(data, kmeans));
  return HardStart(data, clusters.labels, ToEigen(clusters.centroids.view()), options, threads);
}

// Parameters of a finished fit, to score new rows with.
Result<Parameters> ParametersOf(const GaussianMixtureFit& fit) {
  size_t k = fit.means.rows(), d = fit.means.cols();
  bool shaped = k > 0 && d > 0 && fit.weights.size() == k && fit.covariances.size() == k;
  for (size_t comp = 0; shaped && comp < k; ++comp) {
    size_t cov_rows = fit.covariance == Covariance::kFull ? d : 1;
    shaped = fit.covariances[comp].rows() == cov_rows && fit.covariances[comp].cols() == d;
  }
  if (!shaped) return Status::InvalidArgument("Gaussian mixture: the model is empty or malformed");
  Parameters params;
  params.means = ToEigen(fit.means.view());
  params.weights = Eigen::Map<const Eigen::VectorXd>(fit.weights.data(), k);
  for (const Matrix<double>& cov : fit.covariances)
    params.covariances.push_back(ToEigen(cov.view()));
  return params;
}

}  // namespace

Result<GaussianMixtureFit> FitGaussianMixture(MatrixView<double> data,
                                              const GaussianMixtureOptions& options) {
  SEG_RETURN_IF_ERROR(CheckOptions(options));
  SEG_RETURN_IF_ERROR(CheckData(data, options.k));
  int threads = ThreadsFor(data.rows, options.threads);
  std::optional<EmRun> best;
  for (int restart = 0; restart < options.restarts; ++restart) {
    SEG_ASSIGN_OR_RETURN(Parameters start,
                         KMeansStart(data, options, options.seed + restart, threads));
    SEG_ASSIGN_OR_RETURN(EmRun run, RunEm(data, std::move(start), options, threads));
    if (!best || run.lower_bound > best->lower_bound) best = std::move(run);
  }
  return Finish(data, std::move(*best), options, threads);
}

Result<GaussianMixtureFit> FitGaussianMixtureFrom(MatrixView<double> data,
                                                  MatrixView<double> initial_means,
                                                  const GaussianMixtureOptions& options) {
  SEG_RETURN_IF_ERROR(CheckOptions(options));
  SEG_RETURN_IF_ERROR(CheckData(data, options.k));
  if (initial_means.rows != static_cast<size_t>(options.k) || initial_means.cols != data.cols) {
    return Status::InvalidArgument(
        "Gaussian mixture: initial means are " + std::to_string(initial_means.rows) + " × " +
        std::to_string(initial_means.cols) + ", expected k × d = " + std::to_string(options.k) +
        " × " + std::to_string(data.cols));
  }
  SEG_RETURN_IF_ERROR(CheckFinite(initial_means, "initial means"));
  int threads = ThreadsFor(data.rows, options.threads);
  std::vector<int32_t> nearest = AssignNearest<double>(data, initial_means, options.threads);
  Eigen::MatrixXd means = ToEigen(initial_means);
  SEG_ASSIGN_OR_RETURN(Parameters start, HardStart(data, nearest, means, options, threads));
  start.means = means;  // scikit-learn's means_init replaces the M step's means
  SEG_ASSIGN_OR_RETURN(EmRun run, RunEm(data, std::move(start), options, threads));
  return Finish(data, std::move(run), options, threads);
}

Result<MixtureScores> ScoreGaussianMixture(const GaussianMixtureFit& fit, MatrixView<double> rows,
                                           int threads) {
  SEG_ASSIGN_OR_RETURN(Parameters params, ParametersOf(fit));
  if (rows.cols != fit.means.cols()) {
    return Status::InvalidArgument("Gaussian mixture: rows have " + std::to_string(rows.cols) +
                                   " columns, the model " + std::to_string(fit.means.cols()));
  }
  SEG_RETURN_IF_ERROR(CheckFinite(rows, "scored"));
  SEG_ASSIGN_OR_RETURN(Model model, MakeModel(params, fit.covariance));
  MixtureScores scores;
  scores.probabilities = Matrix<double>(rows.rows, fit.means.rows());
  scores.labels.resize(rows.rows);
  scores.log_likelihood.resize(rows.rows);
  if (rows.rows == 0) return scores;
  RowOutputs out{&scores.probabilities, &scores.labels, &scores.log_likelihood};
  ExpectationPass(rows, model, /*accumulate=*/false, out, ThreadsFor(rows.rows, threads));
  return scores;
}

Result<Matrix<double>> PredictProbabilities(const GaussianMixtureFit& fit, MatrixView<double> rows,
                                            int threads) {
  SEG_ASSIGN_OR_RETURN(MixtureScores scores, ScoreGaussianMixture(fit, rows, threads));
  return std::move(scores.probabilities);
}

Status GaussianMixture::Keep(Result<GaussianMixtureFit> fit) {
  if (!fit.ok()) return fit.status();
  fit_ = std::move(fit).value();
  return Status::Ok();
}

Status GaussianMixture::Fit(MatrixView<double> data) {
  return Keep(FitGaussianMixture(data, options_));
}

Status GaussianMixture::FitFrom(MatrixView<double> data, MatrixView<double> initial_means) {
  return Keep(FitGaussianMixtureFrom(data, initial_means, options_));
}

Result<MixtureScores> GaussianMixture::Score(MatrixView<double> rows) const {
  if (!fit_) return Status::InvalidArgument("Gaussian mixture: Score before a successful Fit");
  return ScoreGaussianMixture(*fit_, rows, options_.threads);
}

Result<Matrix<double>> GaussianMixture::PredictProbabilities(MatrixView<double> rows) const {
  if (!fit_) return Status::InvalidArgument("Gaussian mixture: scoring before a successful Fit");
  return segmenta::PredictProbabilities(*fit_, rows, options_.threads);
}

}  // namespace segmenta
