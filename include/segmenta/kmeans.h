// k-means clustering: k-means++ seeding (plain or greedy), Lloyd iterations with
// Hamerly's triangle-inequality bounds, mini-batch k-means for very large inputs, and
// several restarts keeping the lowest inertia. Multi-threaded and deterministic: the
// same data, options, seed and thread count give bit-identical results on every run.
//
//   segmenta::Matrix<double> points = ...;             // n rows × d features, row-major
//   segmenta::KMeansOptions options;
//   options.k = 5;
//   options.restarts = 4;
//   segmenta::Result<segmenta::KMeansFit<double>> fit =
//       segmenta::RunKMeans(points.view(), options);
//   if (!fit.ok()) return fit.status();
//   Use(fit->centroids, fit->labels, fit->inertia);
//
//   segmenta::KMeans model(options);                   // or as an object (KMeans<float>
//   SEG_RETURN_IF_ERROR(model.Fit(points.view()));     // for float data)
//   SEG_ASSIGN_OR_RETURN(std::vector<int32_t> labels, model.Predict(other.view()));
//
// Errors (Status::InvalidArgument): no rows, no columns, k < 1, k > rows, a NaN or
// infinite value (the message names its row and column), bad option values.
// Degenerate data has a defined result: identical points give inertia 0; when there are
// fewer distinct points than k, some centroids repeat and their clusters stay empty
// (size 0) because no point can be taken from another cluster without loss.
//
// Ownership: inputs are views, read during the call only; results own their values.
// Thread safety: the free functions are thread-safe (they share no state) and each uses
// up to `options.threads` threads of its own. A KMeans object is thread-compatible: const
// methods (Predict, accessors) may run concurrently, Fit needs exclusive access.
#ifndef SEGMENTA_KMEANS_H_
#define SEGMENTA_KMEANS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta {

enum class KMeansSeeding {
  kPlusPlus,        // k-means++ (Arthur & Vassilvitskii 2007): one D²-sampled candidate
  kGreedyPlusPlus,  // 2 + ⌊ln k⌋ D²-sampled candidates per step, keep the one that lowers
                    // the potential most (as scikit-learn does)
};

enum class KMeansAlgorithm {
  kAuto,      // kLloyd below `mini_batch_rows` rows (it measured faster than kHamerly at
              // d = 8, k ≤ 10: bench/README.md), kMiniBatch at or above
  kLloyd,     // plain Lloyd: every point against every centroid at every iteration
  kHamerly,   // Lloyd with Hamerly's bounds: same iterates as kLloyd, most points skipped
  kMiniBatch  // Sculley's mini-batch k-means: approximate, reads `batch_size` rows a step
};

// What one iteration did, for progress reports and benchmarks.
struct KMeansProgress {
  int restart = 0;    // 0-based restart
  int iteration = 0;  // 1-based iteration (Lloyd) or batch step (mini-batch)
  // Lloyd: the within-cluster sum of squares of this iteration's labels around the
  // updated centroids (computed from running cluster sums; the fit's final inertia is
  // recomputed exactly). Mini-batch: the moving average of the batches' mean inertia.
  double inertia = 0;
  int64_t changed = 0;  // Lloyd: points whose label changed this iteration
};

struct KMeansOptions {
  int k = 8;  // number of clusters, 1 ≤ k ≤ rows
  KMeansSeeding seeding = KMeansSeeding::kGreedyPlusPlus;
  KMeansAlgorithm algorithm = KMeansAlgorithm::kAuto;
  int restarts = 1;  // independent seedings + fits; the lowest inertia is kept (≥ 1)
  // Lloyd: at most this many assignment + update steps. Mini-batch: at most this many
  // passes' worth of batches (max_iterations · ⌈rows / batch_size⌉ steps).
  int max_iterations = 300;
  // Lloyd stops when the inertia changes by at most `tolerance` relative to the previous
  // iteration's, or when no label changes. Mini-batch stops after 10 steps in which the
  // moving average of the batch inertia did not improve at a rate of more than
  // `tolerance` (relative) per pass over the data. 1e-5: on overlapping clusters a slow
  // drift can stay under 1e-4 for a few iterations and then speed up again (1M × 8
  // overlapping blobs: 1e-4 stopped after 5 iterations 8.9% above scikit-learn's inertia,
  // 1e-5 ran 46 and matched it). Pass 0 to run until no label changes.
  double tolerance = 1e-5;
  uint64_t seed = 0;  // restart r uses a seed derived from (seed, r); r = 0 uses seed
  int threads = 0;    // worker threads; 0 = all cores. Results depend on it (sums are
                      // combined per thread chunk), so fix it for reproducible output
  // kAuto switches to mini-batch at this many rows. Lloyd over 10M × 8 doubles
  // converges in about a second on 2 cores and is exact, so the switch is reserved for
  // inputs where even a few full passes are too slow.
  size_t mini_batch_rows = 50'000'000;
  // Rows sampled (with replacement) per mini-batch step; seeding for mini-batch runs on
  // a random sample of max(3 · batch_size, k) rows.
  size_t batch_size = 8192;
  // Called after every iteration on the calling thread; empty = no calls.
  std::function<void(const KMeansProgress&)> progress;
};

template <typename T>
struct KMeansFit {
  Matrix<T> centroids;          // k × d
  std::vector<int32_t> labels;  // n; labels[row] = its nearest centroid (lowest index on ties)
  std::vector<int64_t> sizes;   // k; rows per cluster
  double inertia = 0;           // Σ squared distance of each row to its centroid (exact)
  int iterations = 0;           // Lloyd iterations, or mini-batch steps, of the kept restart
  bool converged = false;       // stopped by the tolerance / no change, not by max_iterations
  int reseeded = 0;             // empty clusters re-seeded during the kept restart
  int best_restart = 0;         // which restart was kept (0-based)
};

// Seeds, fits `options.restarts` times and returns the fit with the lowest inertia.
template <typename T>
Result<KMeansFit<T>> RunKMeans(MatrixView<T> data, const KMeansOptions& options);

// One fit from the given centroids (k = initial.rows, options.k is ignored): no seeding,
// one restart. kAuto (below mini_batch_rows) and kLloyd run plain Lloyd, kHamerly
// bounded Lloyd, kMiniBatch mini-batch steps.
template <typename T>
Result<KMeansFit<T>> RunKMeansFrom(MatrixView<T> data, MatrixView<T> initial,
                                   const KMeansOptions& options);

// k-means++ seeding only (options.seeding, options.k, options.seed, options.threads):
// k rows of `data`, distinct whenever data has k distinct rows.
template <typename T>
Result<Matrix<T>> SeedCentroids(MatrixView<T> data, const KMeansOptions& options);

// The nearest centroid of every row (lowest index on ties) and, when `distances` is
// given, the squared distance to it. Precondition: centroids.rows ≥ 1 and
// centroids.cols == data.cols; otherwise returns an empty vector.
template <typename T>
std::vector<int32_t> AssignNearest(MatrixView<T> data, MatrixView<T> centroids, int threads = 0,
                                   std::vector<T>* distances = nullptr);

// The same as an object that keeps its fit:
//   KMeans model(options);  // KMeans<double>; KMeans<float> for float data
//   if (Status status = model.Fit(data); !status.ok()) ...
//   model.centroids(); model.labels(); model.Predict(new_rows);
template <typename T = double>
class KMeans {
 public:
  explicit KMeans(KMeansOptions options = {}) : options_(std::move(options)) {}

  // Replaces any previous fit; on error the previous fit is kept.
  Status Fit(MatrixView<T> data);
  Status FitFrom(MatrixView<T> data, MatrixView<T> initial);

  bool fitted() const { return fitted_; }
  const KMeansOptions& options() const { return options_; }
  const KMeansFit<T>& fit() const { return fit_; }
  const Matrix<T>& centroids() const { return fit_.centroids; }
  const std::vector<int32_t>& labels() const { return fit_.labels; }
  double inertia() const { return fit_.inertia; }

  // Nearest fitted centroid per row. Errors: not fitted, column count differs from the
  // fitted data's, a NaN or infinite value.
  Result<std::vector<int32_t>> Predict(MatrixView<T> data) const;

 private:
  KMeansOptions options_;
  KMeansFit<T> fit_;
  bool fitted_ = false;
};

}  // namespace segmenta

#endif  // SEGMENTA_KMEANS_H_
