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
#include "segmenta/kmeans.h"

namespace segmenta {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr size_t kTileRows = 256;        // rows per tile: the tile's matrices stay in L1/L2
constexpr size_t kRowsPerThread = 4096;  // fewer rows than this per thread: fewer threads
constexpr int kMaxJitterSteps = 30;      // tries to make a singular covariance factorise

// A mixture as the M step produces it.
struct Parameters {
  Eigen::MatrixXd means;                     // k × d
  Eigen::VectorXd weights;                   // k
  std::vector<Eigen::MatrixXd> covariances;  // full: d × d; diagonal: 1 × d variances
};

// A component as the E step evaluates it: log(w·N(x)) = constant - ½|(x - mean)·factor|²,
// factor being (L⁻¹)ᵀ for covariance L·Lᵀ, or the row of 1/σ when diagonal.
struct Component {
  Eigen::RowVectorXd mean;
  Eigen::MatrixXd factor;
  double constant = 0.0;
};

struct Model {
  Covariance covariance = Covariance::kFull;
  std::vector<Component> components;
};

// Sums over rows, about per-component shifts (the means of the model that scored them).
struct Statistics {
  Eigen::VectorXd mass;                 // k: Σ r
  Eigen::MatrixXd first;                // k × d: Σ r (x - shift)
  std::vector<Eigen::MatrixXd> second;  // full: d × d, diagonal: 1 × d: Σ r (x - shift)²
  double log_likelihood = 0.0;          // Σ log p(x)

  Statistics(size_t k, size_t d, Covariance covariance)
      : mass(Eigen::VectorXd::Zero(k)), first(Eigen::MatrixXd::Zero(k, d)) {
    size_t rows = covariance == Covariance::kFull ? d : 1;
    second.assign(k, Eigen::MatrixXd::Zero(rows, d));
  }
  void Add(const Statistics& other) {
    mass += other.mass;
    first += other.first;
    for (size_t comp = 0; comp < second.size(); ++comp) second[comp] += other.second[comp];
    log_likelihood += other.log_likelihood;
  }
};

// Where a pass writes per-row results; null members are not wanted.
struct RowOutputs {
  Matrix<double>* probabilities = nullptr;  // n × k
  std::vector<int32_t>* labels = nullptr;   // n
  std::vector<double>* log_likelihood = nullptr;
};

// One thread's working matrices for a tile of rows, column-major so that per-feature
// operations and sums over rows run along contiguous memory.
struct Tile {
  size_t rows = 0;
  Eigen::MatrixXd points;              // rows × d
  std::vector<Eigen::MatrixXd> diffs;  // per component: rows × d, x - shift
  Eigen::MatrixXd scratch;             // rows × d
  Eigen::ArrayXXd resp;                // rows × k: weighted log densities, then responsibilities
  Eigen::ArrayXd log_norm;             // rows: log p(x)
};

// ---- Checks ---------------------------------------------------------------------

Status CheckOptions(const GaussianMixtureOptions& options) {
  auto invalid = [](const std::string& what) {
    return Status::InvalidArgument("Gaussian mixture: " + what);
  };
  if (options.k < 1) return invalid("k must be at least 1");
  if (options.max_iterations < 0) return invalid("max_iterations must be 0 or more");
  if (!(options.tolerance >= 0.0)) return invalid("tolerance must be 0 or more");
  if (!(options.regularization >= 0.0) || !std::isfinite(options.regularization)) {
    return invalid("regularization must be 0 or more");
  }
  if (options.restarts < 1) return invalid("restarts must be at least 1");
  return Status::Ok();
}

// The first NaN or infinite value, named by row and column.
Status CheckFinite(MatrixView<double> data, const std::string& what) {
  std::span<const double> values = data.values();
  constexpr size_t kBlock = 4096;
  for (size_t start = 0; start < values.size(); start += kBlock) {
    size_t stop = std::min(values.size(), start + kBlock);
    bool finite = true;
    for (size_t pos = start; pos < stop; ++pos) finite &= (values[pos] - values[pos] == 0.0);
    if (finite) continue;
    for (size_t pos = start; pos < stop; ++pos) {
      if (std::isfinite(values[pos])) continue;
      return Status::InvalidArgument("Gaussian mixture: " + what + " row " +
                                     std::to_string(pos / data.cols) + ", column " +
                                     std::to_string(pos % data.cols) + " is NaN or infinite");
    }
  }
  return Status::Ok();
}

Status CheckData(MatrixView<double> data, int k) {
  if (data.rows == 0) return Status::InvalidArgument("Gaussian mixture: no rows");
  if (data.cols == 0) return Status::InvalidArgument("Gaussian mixture: the data has no columns");
  if (static_cast<size_t>(k) > data.rows) {
    return Status::InvalidArgument("Gaussian mixture: k = " + std::to_string(k) + " exceeds the " +
                                   std::to_string(data.rows) + " rows");
  }
  return CheckFinite(data, "data");
}

int ThreadsFor(size_t rows, int requested) {
  int cap = static_cast<int>(std::max<size_t>(1, rows / kRowsPerThread));
  return std::min(ResolveThreads(requested), cap);
}

// ---- Covariances ----------------------------------------------------------------

// Adds growing multiples of the mean variance to the diagonal until the covariance
// factorises (a component on a line or a constant column); `covariance` is changed in
// place so that the model keeps what it used.
Status MakeFactorisable(Eigen::MatrixXd& covariance) {
  double scale = covariance.diagonal().mean();
  if (!(scale > 0.0) || !std::isfinite(scale)) scale = 1.0;
  double jitter = 1e-10 * scale;
  for (int step = 0; step < kMaxJitterSteps; ++step) {
    Eigen::LLT<Eigen::MatrixXd> factor(covariance);
    if (factor.info() == Eigen::Success) return Status::Ok();
    covariance.diagonal().array() += jitter;
    jitter *= 10.0;
  }
  return Status::Internal("Gaussian mixture: a covariance could not be regularised");
}

// Variances at or below zero (only without regularisation) become a tiny positive floor.
void MakePositive(Eigen::MatrixXd& variances) {
  double scale = variances.mean();
  double floor = 1e-10 * (scale > 0.0 && std::isfinite(scale) ? scale : 1.0);
  variances = variances.cwiseMax(floor);
}

// ---- Model ----------------------------------------------------------------------

Result<Component> MakeComponent(const Parameters& params, size_t comp, Covariance covariance) {
  Component out;
  out.mean = params.means.row(comp);
  double dims = static_cast<double>(params.means.cols());
  double log_det_factor = 0.0;  // log |factor| = -½ log |covariance|
  const Eigen::MatrixXd& cov = params.covariances[comp];
  if (covariance == Covariance::kFull) {
    Eigen::LLT<Eigen::MatrixXd> cholesky(cov);
    if (cholesky.info() != Eigen::Success) {
      return Status::Internal("Gaussian mixture: a covariance is not positive definite");
    }
    Eigen::MatrixXd lower = cholesky.matrixL();
    Eigen::MatrixXd inverse = Eigen::MatrixXd::Identity(cov.rows(), cov.cols());
    lower.triangularView<Eigen::Lower>().solveInPlace(inverse);
    out.factor = inverse.transpose();
    log_det_factor = -lower.diagonal().array().log().sum();
  } else {
    out.factor.resize(1, cov.cols());
    for (Eigen::Index dim = 0; dim < cov.cols(); ++dim) {
      out.factor(0, dim) = 1.0 / std::sqrt(cov(0, dim));
      log_det_factor -= 0.5 * std::log(cov(0, dim));
    }
  }
  out.constant = std::log(params.weights[comp]) + log_det_factor -
                 0.5 * dims * std::log(2.0 * std::numbers::pi);
  return out;
}

Result<Model> MakeModel(const Parameters& params, Covariance covariance) {
  Model model;
  model.covariance = covariance;
  for (Eigen::Index comp = 0; comp < params.means.rows(); ++comp) {
    SEG_ASSIGN_OR_RETURN(Component component, MakeComponent(params, comp, covariance));
    model.components.push_back(std::move(component));
  }
  return model;
}

Eigen::MatrixXd MeansOf(const Model& model) {
  Eigen::MatrixXd means(model.components.size(), model.components[0].mean.size());
  for (size_t comp = 0; comp < model.components.size(); ++comp) {
    means.row(comp) = model.components[comp].mean;
  }
  return means;
}

// ---- Tiles ----------------------------------------------------------------------

// Loads rows [begin, begin + rows) as differences from each shift.
void LoadTile(MatrixView<double> data, size_t begin, size_t rows, const Eigen::MatrixXd& shifts,
              Tile& tile) {
  tile.points = Eigen::Map<const RowMatrix>(data.row(begin), rows, data.cols);
  tile.rows = rows;
  tile.diffs.resize(shifts.rows());
  for (Eigen::Index comp = 0; comp < shifts.rows(); ++comp) {
    tile.diffs[comp] = tile.points.rowwise() - shifts.row(comp);
  }
}

// tile.resp ← log(w·N(x)) per row and component.
void WeightedLogDensities(const Model& model, Tile& tile) {
  size_t k = model.components.size();
  tile.resp.resize(tile.rows, k);
  for (size_t comp = 0; comp < k; ++comp) {
    const Component& component = model.components[comp];
    if (model.covariance == Covariance::kFull) {
      tile.scratch.noalias() = tile.diffs[comp] * component.factor;
    } else {
      tile.scratch = tile.diffs[comp].array().rowwise() * component.factor.row(0).array();
    }
    tile.resp.col(comp) = component.constant - 0.5 * tile.scratch.rowwise().squaredNorm().array();
  }
}

// Log-sum-exp per row into tile.log_norm; tile.resp becomes the responsibilities.
void Normalise(Tile& tile) {
  Eigen::ArrayXd peak = tile.resp.rowwise().maxCoeff();
  tile.resp.colwise() -= peak;
  tile.resp = tile.resp.exp();
  Eigen::ArrayXd total = tile.resp.rowwise().sum();
  tile.resp.colwise() /= total;
  tile.log_norm = peak + total.log();
}

// Adds the tile's responsibility-weighted sums about the shifts it was loaded with.
void Accumulate(Tile& tile, Covariance covariance, Statistics& stats) {
  stats.mass += tile.resp.colwise().sum().matrix().transpose();
  for (size_t comp = 0; comp < tile.diffs.size(); ++comp) {
    const Eigen::MatrixXd& diff = tile.diffs[comp];
    tile.scratch = diff.array().colwise() * tile.resp.col(comp);
    stats.first.row(comp) += tile.scratch.colwise().sum();
    if (covariance == Covariance::kFull) {
      stats.second[comp].noalias() += tile.scratch.transpose() * diff;
    } else {
      stats.second[comp] += (tile.scratch.array() * diff.array()).colwise().sum().matrix();
    }
  }
}

void WriteRows(const Tile& tile, size_t begin, const RowOutputs& out) {
  for (size_t row = 0; row < tile.rows; ++row) {
    if (out.probabilities) {
      double* target = out.probabilities->row(begin + row);
      for (Eigen::Index comp = 0; comp < tile.resp.cols(); ++comp) {
        target[comp] = tile.resp(row, comp);
      }
    }
    if (out.labels) {
      Eigen::Index best = 0;
      tile.resp.row(row).maxCoeff(&best);  // the first maximum, as numpy's argmax
      (*out.labels)[begin + row] = static_cast<int32_t>(best);
    }
    if (out.log_likelihood) (*out.log_likelihood)[begin + row] = tile.log_norm[row];
  }
}

// ---- Passes ---------------------------------------------------------------------

// Runs `per_tile(tile, begin, rows, stats)` over all rows on `threads` threads and adds
// the per-chunk statistics in chunk order.
template <typename PerTile>
Statistics OverTiles(MatrixView<double> data, size_t k, Covariance covariance, int threads,
                     PerTile per_tile) {
  std::vector<Statistics> partial(threads, Statistics(k, data.cols, covariance));
  ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
    Tile tile;
    for (size_t start = begin; start < end; start += kTileRows) {
      per_tile(tile, start, std::min(kTileRows, end - start), partial[chunk]);
    }
  });
  for (int chunk = 1; chunk < threads; ++chunk) partial[0].Add(partial[chunk]);
  return std::move(partial[0]);
}

// E step under `model`: log-likelihood, optional per-row outputs and, when
// `accumulate`, the M step's sums about the model's means.
Statistics ExpectationPass(MatrixView<double> data, const Model& model, bool accumulate,
                           const RowOutputs& out, int threads) {
  Eigen::MatrixXd means = MeansOf(model);
  return OverTiles(data, model.components.size(), model.covariance, threads,
                   [&](Tile& tile, size_t begin, size_t rows, Statistics& stats) {
                     LoadTile(data, begin, rows, means, tile);
                     WeightedLogDensities(model, tile);
                     Normalise(tile);
                     stats.log_likelihood += tile.log_norm.sum();
                     if (accumulate) Accumulate(tile, model.covariance, stats);
                     WriteRows(tile, begin, out);
                   });
}

// The M step's sums for hard responsibilities (row r belongs to labels[r]).
Statistics HardPass(MatrixView<double> data, const std::vector<int32_t>& labels,
                    const Eigen::MatrixXd& shifts, Covariance covariance, int threads) {
  return OverTiles(data, shifts.rows(), covariance, threads,
                   [&](Tile& tile, size_t begin, size_t rows, Statistics& stats) {
                     LoadTile(data, begin, rows, shifts, tile);
                     tile.resp = Eigen::ArrayXXd::Zero(rows, shifts.rows());
                     for (size_t row = 0; row < rows; ++row)
                       tile.resp(row, labels[begin + row]) = 1;
                     Accumulate(tile, covariance, stats);
                   });
}

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
