// Lloyd iterations of the k-means engine, plain or with Hamerly's bounds (see the
// notes at the top of kmeans.cc for why plain Lloyd is the default). Only kmeans.cc
// includes it.
#ifndef SEGMENTA_SEGMENT_CLUSTER_KMEANS_LLOYD_H_
#define SEGMENTA_SEGMENT_CLUSTER_KMEANS_LLOYD_H_

#include "segment/cluster/kmeans_internal.h"

namespace segmenta::kmeans_internal {

template <typename T>
struct LloydState {
  std::vector<int32_t> labels;
  std::vector<T> upper;  // bounded only: ≥ distance from the row to its centroid
  std::vector<T> lower;  // bounded only: ≤ distance from the row to every other centroid
  ClusterStats totals;
  std::vector<ClusterStats> chunks;

  LloydState(size_t rows, size_t clusters, size_t cols, int threads, bool bounded)
      : labels(rows),
        upper(bounded ? rows : 0),
        lower(bounded ? rows : 0),
        totals(clusters, cols),
        chunks(threads, ClusterStats(clusters, cols)) {}

  bool bounded() const { return !upper.empty(); }
};

// Assigns every row from scratch, sets its bounds and rebuilds the totals.
template <typename T>
void AssignAll(const Problem<T>& problem, const Matrix<T>& centroids, LloydState<T>& state) {
  const bool bounded = state.bounded();
  ParallelFor(problem.data.rows, problem.threads, [&](size_t begin, size_t end, int chunk) {
    ClusterStats& local = state.chunks[chunk];
    local.Clear();
    auto apply = [&](size_t row, const Nearest<T>& nearest) {
      state.labels[row] = nearest.cluster;
      local.Add(nearest.cluster, problem.data.row(row), problem.mean.data(), 1.0);
      if (!bounded) return;
      state.upper[row] = std::sqrt(nearest.first);
      state.lower[row] = std::sqrt(nearest.second);
    };
    NearestFinder<T> finder(problem.data, centroids.view());
    for (size_t row = begin; row < end; ++row) finder.Add(row, apply);
    finder.Flush(apply);
  });
  state.totals.Clear();
  MergeChunks(state.chunks, state.totals);
}

// Rows whose bounds are checked together before any of their data is read.
inline constexpr size_t kSweepRows = 512;

// Scratch for one sweep of the bounded assignment.
template <typename T>
struct Sweep {
  std::vector<T> limit;             // per row: max(half gap, lower bound)
  std::vector<uint32_t> unsettled;  // offsets (from the sweep's first row) of rows to check
  std::vector<T> exact;             // squared distance of those rows to their centroid
  Sweep() : limit(kSweepRows), unsettled(kSweepRows), exact(kSweepRows) {}
};

// Hamerly's bounds for rows [first, first + count): moves the bounds by the centroid
// drift, then lists the rows whose upper bound is not below max(half gap, lower bound),
// i.e. that may have changed cluster. Reads no data; the loop vectorises.
template <typename T>
size_t UnsettledRows(size_t first, size_t count, const Motion<T>& motion, LloydState<T>& state,
                     Sweep<T>& sweep) {
  const int32_t* __restrict labels = state.labels.data() + first;
  T* __restrict upper = state.upper.data() + first;
  T* __restrict lower = state.lower.data() + first;
  T* __restrict limit = sweep.limit.data();
  const T* __restrict drift = motion.drift.data();
  const T* __restrict half_gap = motion.half_gap.data();
  const int32_t farthest = motion.farthest;
  const T max_drift = motion.max_drift, second_drift = motion.second_drift;
  for (size_t offset = 0; offset < count; ++offset) {
    const int64_t label = labels[offset];  // 64-bit: GCC 12 vectorises the lookups then
    const T low = lower[offset] - (label == farthest ? second_drift : max_drift);
    upper[offset] += drift[label];
    lower[offset] = low;
    limit[offset] = std::max(half_gap[label], low);
  }
  uint32_t* __restrict unsettled = sweep.unsettled.data();
  size_t found = 0;
  for (size_t offset = 0; offset < count; ++offset) {  // branch-free compaction
    unsettled[found] = static_cast<uint32_t>(offset);
    found += upper[offset] < limit[offset] ? 0 : 1;
  }
  return found;
}

// One bounded sweep: rows the bounds settle are skipped; the others get the exact distance
// to their centroid (independent loads, so memory latency overlaps), and those still
// unsettled go to `finder` to be compared with every centroid.
template <typename T, typename Apply>
void BoundedSweep(const Problem<T>& problem, size_t first, size_t count, const Matrix<T>& centroids,
                  const Motion<T>& motion, LloydState<T>& state, Sweep<T>& sweep,
                  NearestFinder<T>& finder, Apply& apply) {
  const size_t unsettled = UnsettledRows(first, count, motion, state, sweep);
  for (size_t index = 0; index < unsettled; ++index) {
    __builtin_prefetch(problem.data.row(first + sweep.unsettled[index]));
  }
  for (size_t index = 0; index < unsettled; ++index) {
    const size_t row = first + sweep.unsettled[index];
    sweep.exact[index] =
        SquaredDistance(problem.data.row(row), centroids.row(state.labels[row]), problem.data.cols);
  }
  for (size_t index = 0; index < unsettled; ++index) {
    const size_t offset = sweep.unsettled[index];
    const T upper = std::sqrt(sweep.exact[index]);
    state.upper[first + offset] = upper;
    if (upper < sweep.limit[offset]) continue;
    finder.Add(first + offset, apply);
  }
}

// One assignment step after the centroids moved by `motion`: rows whose bounds prove
// they keep their cluster are skipped (bounded state), the others are compared with every
// centroid, and the totals are updated for the rows that move. Returns the rows moved.
template <typename T>
int64_t Reassign(const Problem<T>& problem, const Matrix<T>& centroids, const Motion<T>& motion,
                 LloydState<T>& state) {
  const bool bounded = state.bounded();
  ParallelFor(problem.data.rows, problem.threads, [&](size_t begin, size_t end, int chunk) {
    ClusterStats& local = state.chunks[chunk];
    local.Clear();
    auto apply = [&](size_t row, const Nearest<T>& nearest) {
      if (bounded) {
        state.upper[row] = std::sqrt(nearest.first);
        state.lower[row] = std::sqrt(nearest.second);
      }
      const int32_t label = state.labels[row];
      if (nearest.cluster == label) return;
      state.labels[row] = nearest.cluster;
      local.Move(label, nearest.cluster, problem.data.row(row), problem.mean.data());
      ++local.moved;
    };
    NearestFinder<T> finder(problem.data, centroids.view());
    if (bounded) {
      Sweep<T> sweep;
      for (size_t first = begin; first < end; first += kSweepRows) {
        const size_t count = std::min(kSweepRows, end - first);
        BoundedSweep(problem, first, count, centroids, motion, state, sweep, finder, apply);
      }
    } else {
      for (size_t row = begin; row < end; ++row) finder.Add(row, apply);
    }
    finder.Flush(apply);
  });
  return MergeChunks(state.chunks, state.totals);
}

// Gives each empty cluster, in index order, the row farthest from its centroid (exact
// distance, lowest row on ties), taking only rows at a positive distance from clusters
// that keep at least one row. A cluster stays empty when no such row exists (fewer
// distinct rows than clusters). Returns the clusters re-seeded.
template <typename T>
int ReseedEmpty(const Problem<T>& problem, const Matrix<T>& centroids, LloydState<T>& state) {
  ClusterStats& totals = state.totals;
  const size_t clusters = centroids.rows();
  if (std::find(totals.counts.begin(), totals.counts.end(), 0) == totals.counts.end()) return 0;
  const MatrixView<T> data = problem.data;
  std::vector<T> distance(data.rows);
  ParallelFor(data.rows, problem.threads, [&](size_t begin, size_t end, int) {
    for (size_t row = begin; row < end; ++row) {
      distance[row] = SquaredDistance(data.row(row), centroids.row(state.labels[row]), data.cols);
    }
  });
  int reseeded = 0;
  for (size_t cluster = 0; cluster < clusters; ++cluster) {
    if (totals.counts[cluster] != 0) continue;
    size_t farthest = data.rows;
    T farthest_distance = 0;
    for (size_t row = 0; row < data.rows; ++row) {
      if (distance[row] <= farthest_distance || totals.counts[state.labels[row]] < 2) continue;
      farthest = row;
      farthest_distance = distance[row];
    }
    if (farthest == data.rows) break;
    totals.Move(state.labels[farthest], cluster, data.row(farthest), problem.mean.data());
    state.labels[farthest] = static_cast<int32_t>(cluster);
    distance[farthest] = 0;
    if (state.bounded()) {  // force a full comparison of this row at the next step
      state.upper[farthest] = std::numeric_limits<T>::infinity();
      state.lower[farthest] = 0;
    }
    ++reseeded;
  }
  return reseeded;
}

// Σ squared distance from each row to its labelled centroid, exactly (double sums).
template <typename T>
double ExactInertia(const Problem<T>& problem, const Matrix<T>& centroids,
                    const std::vector<int32_t>& labels) {
  std::vector<double> partial(problem.threads, 0.0);
  ParallelFor(problem.data.rows, problem.threads, [&](size_t begin, size_t end, int chunk) {
    double sum = 0;
    for (size_t row = begin; row < end; ++row) {
      sum += static_cast<double>(
          SquaredDistance(problem.data.row(row), centroids.row(labels[row]), problem.data.cols));
    }
    partial[chunk] = sum;
  });
  double total = 0;
  for (double sum : partial) total += sum;
  return total;
}

inline bool InertiaSettled(double previous, double current, double tolerance) {
  return std::abs(previous - current) <= tolerance * previous;
}

// Lloyd iterations from `centroids`. Each iteration assigns rows, re-seeds empty
// clusters and moves the centroids to their clusters' means; it stops when no row moved,
// when the within-cluster sum of squares changed by at most `tolerance` relative, or
// after max_iterations. A last assignment makes the labels those of the returned
// centroids (as scikit-learn does), and the inertia is then computed exactly.
template <typename T>
KMeansFit<T> RunLloyd(const Problem<T>& problem, Matrix<T> centroids, bool bounded,
                      const KMeansOptions& options, int restart) {
  LloydState<T> state(problem.data.rows, centroids.rows(), centroids.cols(), problem.threads,
                      bounded);
  AssignAll(problem, centroids, state);
  KMeansFit<T> fit;
  int64_t moved = static_cast<int64_t>(problem.data.rows);
  double previous = 0;
  Motion<T> motion;
  for (int iteration = 1;; ++iteration) {
    fit.iterations = iteration;
    const int reseeded = ReseedEmpty(problem, centroids, state);
    fit.reseeded += reseeded;
    moved += reseeded;
    Matrix<T> updated = centroids;
    UpdateCentroids(state.totals, problem.mean, updated);
    const double inertia = state.totals.WithinSumOfSquares();
    if (options.progress) options.progress({restart, iteration, inertia, moved});
    fit.converged =
        iteration > 1 && (moved == 0 || InertiaSettled(previous, inertia, options.tolerance));
    motion = ComputeMotion(centroids, updated);
    centroids = std::move(updated);
    if (fit.converged || iteration >= options.max_iterations) break;
    previous = inertia;
    moved = Reassign(problem, centroids, motion, state);
  }
  if (moved != 0) Reassign(problem, centroids, motion, state);
  fit.inertia = ExactInertia(problem, centroids, state.labels);
  fit.sizes = state.totals.counts;
  fit.labels = std::move(state.labels);
  fit.centroids = std::move(centroids);
  return fit;
}

}  // namespace segmenta::kmeans_internal

#endif  // SEGMENTA_SEGMENT_CLUSTER_KMEANS_LLOYD_H_
