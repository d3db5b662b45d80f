// The mixture model as the E step evaluates it and the passes over the rows
// (mixture_model.h); the file comment of mixture.cc says how a pass works.
#include "segment/cluster/mixture_model.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/parallel.h"

namespace segmenta::mixture_internal {
namespace {

constexpr size_t kTileRows = 256;        // rows per tile: the tile's matrices stay in L1/L2
constexpr size_t kRowsPerThread = 4096;  // fewer rows than this per thread: fewer threads
constexpr int kMaxJitterSteps = 30;      // tries to make a singular covariance factorise

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

}  // namespace

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

}  // namespace segmenta::mixture_internal
