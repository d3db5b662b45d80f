// The k-means engine (contract in include/segmenta/kmeans.h).
//
// Why it is fast:
// - Nearest centroids are found for a block of rows at once, one row per vector lane
//   (NearestFinder): per centroid and column one subtraction and one multiply-add for
//   8 doubles or 16 floats, and vector selects keep the nearest two; no horizontal sums.
// - Cluster sums are kept in double, centred on the column means, and updated only for
//   rows that change cluster; rows proven by the bounds to keep their cluster are never
//   read again, so later iterations touch the bounds arrays and little else.
// - Bounds: Hamerly's (one upper bound per row, one lower bound for all other centroids),
//   checked for a sweep of rows before any of their data is read. Elkan's k lower bounds
//   per row were not built: at k = 8 they are k times this state (64 MB for 1M rows,
//   as much as the data itself), and memory traffic is what limits an iteration here.
//   Measured at 1M × 8 doubles, k = 8, overlapping blobs, 2 cores (bench/cluster/kmeans.sh):
//   after the first iterations ~83% of rows are settled by the bounds alone, but the
//   bounds and labels (20 bytes a row, read and written) plus the scattered rows still to
//   check cost about as much as streaming the 64 bytes of every row, so Hamerly is only
//   on par with plain Lloyd at d = 8 (it wins where rows are wider or clusters tighter).
//   On a quiet machine plain Lloyd measured faster: 4.45 ms per iteration against 6.35
//   (fixed 20 iterations), and the k = 2..10 search of the demo in 2.8–3.2 s against
//   3.4–3.5 s; so kAuto runs plain Lloyd and Hamerly is there to be asked for.
// Determinism: rows are cut into chunks that depend only on the row count and the
// thread count (ParallelFor); each chunk accumulates into its own buffers, and buffers
// are combined in chunk order. Random draws happen on the calling thread from SplitMix64
// streams derived from the seed.
#include "segmenta/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "core/parallel.h"
#include "segment/cluster/kmeans_internal.h"
#include "segment/cluster/kmeans_lloyd.h"

namespace segmenta {
namespace kmeans_internal {

// Steps of mini-batch k-means without a new best moving-average inertia before it stops.
constexpr int kMiniBatchPatience = 10;

// ---------------------------------------------------------------------------------------
// Seeding: k-means++ (Arthur & Vassilvitskii 2007), optionally greedy.

// Rows drawn with probability proportional to weight[row] (uniformly when all weights
// are 0), one per target, returned in row order. One sequential pass; `total` is the
// weights' sum.
template <typename T>
std::vector<size_t> SampleByWeight(const std::vector<T>& weight, double total, size_t draws,
                                   Rng& rng) {
  std::vector<size_t> picks(draws);
  if (!(total > 0)) {
    for (size_t& pick : picks) pick = rng.Below(weight.size());
    return picks;
  }
  std::vector<double> targets(draws);
  for (double& target : targets) target = rng.Uniform() * total;
  std::sort(targets.begin(), targets.end());
  size_t found = 0, last_positive = 0;
  double running = 0;
  for (size_t row = 0; row < weight.size() && found < draws; ++row) {
    if (weight[row] <= 0) continue;
    last_positive = row;
    running += static_cast<double>(weight[row]);
    while (found < draws && running > targets[found]) picks[found++] = row;
  }
  for (; found < draws; ++found) picks[found] = last_positive;  // rounding at the very end
  return picks;
}

// closest[row] = min(closest[row], |row − centroid|²) (or the distance itself when
// `first`); returns Σ closest in chunk order.
template <typename T>
double UpdateClosest(const Problem<T>& problem, const T* centroid, bool first,
                     std::vector<T>& closest) {
  std::vector<double> partial(problem.threads, 0.0);
  ParallelFor(problem.data.rows, problem.threads, [&](size_t begin, size_t end, int chunk) {
    double sum = 0;
    for (size_t row = begin; row < end; ++row) {
      const T distance = SquaredDistance(problem.data.row(row), centroid, problem.data.cols);
      closest[row] = first ? distance : std::min(closest[row], distance);
      sum += static_cast<double>(closest[row]);
    }
    partial[chunk] = sum;
  });
  double total = 0;
  for (double sum : partial) total += sum;
  return total;
}

// Index (into `candidates`) of the candidate that leaves the lowest potential
// Σ min(closest, |row − candidate|²); the first on ties.
template <typename T>
size_t BestCandidate(const Problem<T>& problem, const std::vector<size_t>& candidates,
                     const std::vector<T>& closest) {
  const MatrixView<T> data = problem.data;
  std::vector<std::vector<double>> partial(problem.threads,
                                           std::vector<double>(candidates.size(), 0.0));
  ParallelFor(data.rows, problem.threads, [&](size_t begin, size_t end, int chunk) {
    std::vector<double>& potential = partial[chunk];
    for (size_t index = 0; index < candidates.size(); ++index) {
      const T* candidate = data.row(candidates[index]);
      double sum = 0;
      for (size_t row = begin; row < end; ++row) {
        const T distance = SquaredDistance(data.row(row), candidate, data.cols);
        sum += static_cast<double>(std::min(closest[row], distance));
      }
      potential[index] = sum;
    }
  });
  size_t best = 0;
  double best_potential = std::numeric_limits<double>::infinity();
  for (size_t index = 0; index < candidates.size(); ++index) {
    double potential = 0;
    for (const std::vector<double>& chunk : partial) potential += chunk[index];
    if (potential < best_potential) {
      best = index;
      best_potential = potential;
    }
  }
  return best;
}

template <typename T>
Matrix<T> SeedPlusPlus(const Problem<T>& problem, int k, KMeansSeeding seeding, uint64_t seed) {
  const MatrixView<T> data = problem.data;
  Rng rng(seed);
  Matrix<T> centroids(k, data.cols);
  std::copy_n(data.row(rng.Below(data.rows)), data.cols, centroids.row(0));
  std::vector<T> closest(data.rows);
  double total = UpdateClosest(problem, centroids.row(0), true, closest);
  const size_t draws =
      seeding == KMeansSeeding::kGreedyPlusPlus ? 2 + static_cast<size_t>(std::log(k)) : 1;
  for (int cluster = 1; cluster < k; ++cluster) {
    const std::vector<size_t> candidates = SampleByWeight(closest, total, draws, rng);
    const size_t chosen =
        draws == 1 ? candidates[0] : candidates[BestCandidate(problem, candidates, closest)];
    std::copy_n(data.row(chosen), data.cols, centroids.row(cluster));
    total = UpdateClosest(problem, centroids.row(cluster), false, closest);
  }
  return centroids;
}

// ---------------------------------------------------------------------------------------
// Mini-batch k-means (Sculley 2010), batched as scikit-learn does: each centroid moves to
// the weighted mean of its old position (weight = rows seen so far) and the batch rows
// assigned to it.

// A random sample of rows (with replacement, in row order): mini-batch seeding data.
template <typename T>
Matrix<T> SampleRows(MatrixView<T> data, size_t count, Rng& rng) {
  std::vector<size_t> rows(count);
  for (size_t& row : rows) row = rng.Below(data.rows);
  std::sort(rows.begin(), rows.end());
  Matrix<T> sample(count, data.cols);
  for (size_t index = 0; index < count; ++index) {
    std::copy_n(data.row(rows[index]), data.cols, sample.row(index));
  }
  return sample;
}

// Moves each centroid towards the batch rows assigned to it; `seen` counts rows so far.
template <typename T>
void MiniBatchUpdate(const ClusterStats& batch, const std::vector<double>& mean,
                     std::vector<double>& seen, Matrix<T>& centroids) {
  for (size_t cluster = 0; cluster < centroids.rows(); ++cluster) {
    const int64_t count = batch.counts[cluster];
    if (count == 0) continue;
    const double weight = seen[cluster];
    seen[cluster] += static_cast<double>(count);
    const double* sum = batch.sums.data() + cluster * batch.cols;
    T* centroid = centroids.row(cluster);
    for (size_t col = 0; col < batch.cols; ++col) {
      const double old_centred = static_cast<double>(centroid[col]) - mean[col];
      centroid[col] = static_cast<T>(mean[col] + (old_centred * weight + sum[col]) / seen[cluster]);
    }
  }
}

// Assigns the batch rows and returns their summed squared distances; fills `batch`.
template <typename T>
double AssignBatch(const Problem<T>& problem, const std::vector<size_t>& rows,
                   const Matrix<T>& centroids, std::vector<ClusterStats>& chunks,
                   ClusterStats& batch) {
  std::vector<double> partial(problem.threads, 0.0);
  ParallelFor(rows.size(), problem.threads, [&](size_t begin, size_t end, int chunk) {
    ClusterStats& local = chunks[chunk];
    local.Clear();
    double inertia = 0;
    auto apply = [&](size_t row, const Nearest<T>& nearest) {
      local.Add(nearest.cluster, problem.data.row(row), problem.mean.data(), 1.0);
      inertia += static_cast<double>(nearest.first);
    };
    NearestFinder<T> finder(problem.data, centroids.view());
    for (size_t index = begin; index < end; ++index) finder.Add(rows[index], apply);
    finder.Flush(apply);
    partial[chunk] = inertia;
  });
  batch.Clear();
  MergeChunks(chunks, batch);
  double inertia = 0;
  for (double sum : partial) inertia += sum;
  return inertia;
}

template <typename T>
KMeansFit<T> RunMiniBatch(const Problem<T>& problem, Matrix<T> centroids,
                          const KMeansOptions& options, uint64_t seed, int restart) {
  const size_t rows = problem.data.rows, clusters = centroids.rows(), cols = centroids.cols();
  const size_t batch_rows = options.batch_size;
  const int64_t steps_per_pass = static_cast<int64_t>((rows + batch_rows - 1) / batch_rows);
  const int64_t max_steps = steps_per_pass * options.max_iterations;
  // Moving average over about half a pass of batches (scikit-learn's choice).
  const double alpha = std::min(1.0, 2.0 * static_cast<double>(batch_rows) / (rows + 1.0));
  Rng rng(DeriveSeed(seed, 1));
  std::vector<size_t> batch_indices(batch_rows);
  std::vector<double> seen(clusters, 0.0);
  std::vector<ClusterStats> chunks(problem.threads, ClusterStats(clusters, cols));
  ClusterStats batch(clusters, cols);
  KMeansFit<T> fit;
  double average = 0, best = std::numeric_limits<double>::infinity();
  int stalled = 0;
  for (int64_t step = 1; step <= max_steps; ++step) {
    for (size_t& row : batch_indices) row = rng.Below(rows);
    const double inertia = AssignBatch(problem, batch_indices, centroids, chunks, batch) /
                           static_cast<double>(batch_rows);
    MiniBatchUpdate(batch, problem.mean, seen, centroids);
    average = step == 1 ? inertia : average + alpha * (inertia - average);
    fit.iterations = static_cast<int>(std::min<int64_t>(step, std::numeric_limits<int>::max()));
    if (options.progress) options.progress({restart, fit.iterations, average, 0});
    // An improvement must beat `tolerance` relative per pass over the data.
    if (average < best * (1.0 - options.tolerance * alpha)) {
      best = average;
      stalled = 0;
    } else if (++stalled >= kMiniBatchPatience) {
      fit.converged = true;
      break;
    }
  }
  // Labels, sizes and inertia over all rows; clusters left empty get the farthest rows.
  LloydState<T> state(rows, clusters, cols, problem.threads, false);
  AssignAll(problem, centroids, state);
  fit.reseeded = ReseedEmpty(problem, centroids, state);
  if (fit.reseeded > 0) UpdateCentroids(state.totals, problem.mean, centroids);
  fit.inertia = ExactInertia(problem, centroids, state.labels);
  fit.sizes = state.totals.counts;
  fit.labels = std::move(state.labels);
  fit.centroids = std::move(centroids);
  return fit;
}

// ---------------------------------------------------------------------------------------
// Drivers.

KMeansAlgorithm ResolveAlgorithm(const KMeansOptions& options, size_t rows) {
  if (options.algorithm != KMeansAlgorithm::kAuto) return options.algorithm;
  return rows >= options.mini_batch_rows ? KMeansAlgorithm::kMiniBatch : KMeansAlgorithm::kLloyd;
}

template <typename T>
KMeansFit<T> FitOnce(const Problem<T>& problem, Matrix<T> initial, KMeansAlgorithm algorithm,
                     const KMeansOptions& options, uint64_t seed, int restart) {
  if (algorithm == KMeansAlgorithm::kMiniBatch) {
    return RunMiniBatch(problem, std::move(initial), options, seed, restart);
  }
  const bool bounded = algorithm != KMeansAlgorithm::kLloyd;
  return RunLloyd(problem, std::move(initial), bounded, options, restart);
}

// Seeding for one restart: on all rows for Lloyd, on a random sample for mini-batch.
template <typename T>
Matrix<T> SeedRestart(const Problem<T>& problem, KMeansAlgorithm algorithm,
                      const KMeansOptions& options, uint64_t seed) {
  const size_t sample_rows = std::max<size_t>(3 * options.batch_size, options.k);
  if (algorithm != KMeansAlgorithm::kMiniBatch || sample_rows >= problem.data.rows) {
    return SeedPlusPlus(problem, options.k, options.seeding, seed);
  }
  Rng rng(DeriveSeed(seed, 2));
  const Matrix<T> sample = SampleRows(problem.data, sample_rows, rng);
  Problem<T> sampled{sample.view(), problem.mean, problem.threads};
  return SeedPlusPlus(sampled, options.k, options.seeding, seed);
}

}  // namespace kmeans_internal

using kmeans_internal::CheckK;
using kmeans_internal::CheckOptions;
using kmeans_internal::CheckShape;
using kmeans_internal::DeriveSeed;
using kmeans_internal::FiniteColumnMeans;
using kmeans_internal::FitOnce;
using kmeans_internal::MakeProblem;
using kmeans_internal::Nearest;
using kmeans_internal::NearestFinder;
using kmeans_internal::Problem;
using kmeans_internal::ResolveAlgorithm;
using kmeans_internal::SeedPlusPlus;
using kmeans_internal::SeedRestart;

template <typename T>
Result<Matrix<T>> SeedCentroids(MatrixView<T> data, const KMeansOptions& options) {
  SEG_ASSIGN_OR_RETURN(Problem<T> problem, MakeProblem(data, options.threads));
  SEG_RETURN_IF_ERROR(CheckK(options.k, data.rows));
  return SeedPlusPlus(problem, options.k, options.seeding, options.seed);
}

template <typename T>
Result<KMeansFit<T>> RunKMeans(MatrixView<T> data, const KMeansOptions& options) {
  SEG_RETURN_IF_ERROR(CheckOptions(options));
  SEG_ASSIGN_OR_RETURN(Problem<T> problem, MakeProblem(data, options.threads));
  SEG_RETURN_IF_ERROR(CheckK(options.k, data.rows));
  const KMeansAlgorithm algorithm = ResolveAlgorithm(options, data.rows);
  KMeansFit<T> best;
  for (int restart = 0; restart < options.restarts; ++restart) {
    const uint64_t seed = DeriveSeed(options.seed, static_cast<uint64_t>(restart));
    Matrix<T> initial = SeedRestart(problem, algorithm, options, seed);
    KMeansFit<T> fit = FitOnce(problem, std::move(initial), algorithm, options, seed, restart);
    fit.best_restart = restart;
    if (restart == 0 || fit.inertia < best.inertia) best = std::move(fit);
  }
  return best;
}

template <typename T>
Result<KMeansFit<T>> RunKMeansFrom(MatrixView<T> data, MatrixView<T> initial,
                                   const KMeansOptions& options) {
  SEG_RETURN_IF_ERROR(CheckOptions(options));
  SEG_ASSIGN_OR_RETURN(Problem<T> problem, MakeProblem(data, options.threads));
  SEG_RETURN_IF_ERROR(CheckShape(initial, "initial centroids"));
  if (initial.cols != data.cols) {
    return Status::InvalidArgument("k-means: initial centroids have " +
                                   std::to_string(initial.cols) + " columns, data has " +
                                   std::to_string(data.cols));
  }
  SEG_RETURN_IF_ERROR(CheckK(static_cast<int64_t>(initial.rows), data.rows));
  SEG_RETURN_IF_ERROR(FiniteColumnMeans(initial, 1, "initial centroids").status());
  Matrix<T> centroids(initial.rows, initial.cols);
  std::copy_n(initial.data, initial.rows * initial.cols, centroids.values().data());
  return FitOnce(problem, std::move(centroids), ResolveAlgorithm(options, data.rows), options,
                 options.seed, 0);
}

template <typename T>
std::vector<int32_t> AssignNearest(MatrixView<T> data, MatrixView<T> centroids, int threads,
                                   std::vector<T>* distances) {
  if (centroids.rows == 0 || centroids.cols != data.cols) return {};
  std::vector<int32_t> labels(data.rows);
  if (distances != nullptr) distances->assign(data.rows, T{0});
  ParallelFor(data.rows, ResolveThreads(threads), [&](size_t begin, size_t end, int) {
    auto apply = [&](size_t row, const Nearest<T>& nearest) {
      labels[row] = nearest.cluster;
      if (distances != nullptr) (*distances)[row] = nearest.first;
    };
    NearestFinder<T> finder(data, centroids);
    for (size_t row = begin; row < end; ++row) finder.Add(row, apply);
    finder.Flush(apply);
  });
  return labels;
}

template <typename T>
Status KMeans<T>::Fit(MatrixView<T> data) {
  SEG_ASSIGN_OR_RETURN(fit_, RunKMeans(data, options_));
  fitted_ = true;
  return Status::Ok();
}

template <typename T>
Status KMeans<T>::FitFrom(MatrixView<T> data, MatrixView<T> initial) {
  SEG_ASSIGN_OR_RETURN(fit_, RunKMeansFrom(data, initial, options_));
  fitted_ = true;
  return Status::Ok();
}

template <typename T>
Result<std::vector<int32_t>> KMeans<T>::Predict(MatrixView<T> data) const {
  if (!fitted_) return Status::InvalidArgument("k-means: Predict before a successful Fit");
  if (data.cols != fit_.centroids.cols()) {
    return Status::InvalidArgument("k-means: Predict got " + std::to_string(data.cols) +
                                   " columns, the model was fitted on " +
                                   std::to_string(fit_.centroids.cols()));
  }
  if (data.rows == 0) return std::vector<int32_t>{};
  const int threads = ResolveThreads(options_.threads);
  SEG_RETURN_IF_ERROR(FiniteColumnMeans(data, threads, "data").status());
  return AssignNearest(data, fit_.centroids.view(), threads);
}

// NOLINTBEGIN(bugprone-macro-parentheses): T is a type in template argument position.
#define SEGMENTA_KMEANS_INSTANTIATE(T)                                              \
  template Result<KMeansFit<T>> RunKMeans<T>(MatrixView<T>, const KMeansOptions&);  \
  template Result<KMeansFit<T>> RunKMeansFrom<T>(MatrixView<T>, MatrixView<T>,      \
                                                 const KMeansOptions&);             \
  template Result<Matrix<T>> SeedCentroids<T>(MatrixView<T>, const KMeansOptions&); \
  template std::vector<int32_t> AssignNearest<T>(MatrixView<T>, MatrixView<T>, int, \
                                                 std::vector<T>*);                  \
  template class KMeans<T>;

SEGMENTA_KMEANS_INSTANTIATE(float)
SEGMENTA_KMEANS_INSTANTIATE(double)

#undef SEGMENTA_KMEANS_INSTANTIATE
// NOLINTEND(bugprone-macro-parentheses)

}  // namespace segmenta
