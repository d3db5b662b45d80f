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

namespace segmenta {
namespace {


// Steps of mini-batch k-means without a new best moving-average inertia before it stops.
constexpr int kMiniBatchPatience = 10;

// ---------------------------------------------------------------------------------------
// Random numbers: SplitMix64 (Steele, Lea & Flood 2014). Fully specified, so a seed gives
// the same stream with every compiler and standard library (std distributions do not).

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound), bound ≥ 1 (multiply-shift; bias below 2^-64 · bound).
  size_t Below(size_t bound) {
    return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

// Seed of stream `stream` (a restart, the mini-batch sampler) of `seed`; stream 0 is the
// seed itself, so restart 0 seeds exactly as SeedCentroids(data, options) does.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  if (stream == 0) return seed;
  Rng mixer(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  return mixer.Next();
}

// ---------------------------------------------------------------------------------------
// Validation.

Status CheckOptions(const KMeansOptions& options) {
  if (options.restarts < 1) {
    return Status::InvalidArgument("k-means: restarts must be at least 1, got " +
                                   std::to_string(options.restarts));
  }
  if (options.max_iterations < 1) {
    return Status::InvalidArgument("k-means: max_iterations must be at least 1, got " +
                                   std::to_string(options.max_iterations));
  }
  if (!(options.tolerance >= 0) || !std::isfinite(options.tolerance)) {
    return Status::InvalidArgument("k-means: tolerance must be a finite number ≥ 0");
  }
  if (options.batch_size < 1) {
    return Status::InvalidArgument("k-means: batch_size must be at least 1");
  }
  return Status::Ok();
}

template <typename T>
Status CheckShape(MatrixView<T> data, const char* what) {
  if (data.rows == 0)
    return Status::InvalidArgument(std::string("k-means: ") + what + " has no rows");
  if (data.cols == 0) {
    return Status::InvalidArgument(std::string("k-means: ") + what + " has no columns");
  }
  return Status::Ok();
}

Status CheckK(int64_t k, size_t rows) {
  if (k < 1)
    return Status::InvalidArgument("k-means: k must be at least 1, got " + std::to_string(k));
  if (static_cast<uint64_t>(k) > rows) {
    return Status::InvalidArgument("k-means: k = " + std::to_string(k) + " is more than the " +
                                   std::to_string(rows) + " rows to cluster");
  }
  return Status::Ok();
}

template <typename T>
Status NonFiniteError(MatrixView<T> data, size_t begin, const char* what) {
  for (size_t row = begin; row < data.rows; ++row) {
    for (size_t col = 0; col < data.cols; ++col) {
      const T value = data(row, col);
      if (std::isfinite(value)) continue;
      return Status::InvalidArgument(std::string("k-means: ") + what + " row " +
                                     std::to_string(row) + ", column " + std::to_string(col) +
                                     " (0-based) is " + (std::isnan(value) ? "NaN" : "infinite"));
    }
  }
  return Status::Internal("k-means: a non-finite value was detected but not found again");
}

// Column means of `data` in double; an error naming the first NaN or infinite cell.
template <typename T>
Result<std::vector<double>> FiniteColumnMeans(MatrixView<T> data, int threads, const char* what) {
  const size_t cols = data.cols;
  std::vector<std::vector<double>> partial(threads, std::vector<double>(cols, 0.0));
  std::vector<T> poison(threads, T{0});  // 0 while every value seen is finite, else NaN
  ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
    double* sums = partial[chunk].data();
    T flag = 0;
    for (size_t row = begin; row < end; ++row) {
      const T* values = data.row(row);
      for (size_t col = 0; col < cols; ++col) {
        sums[col] += static_cast<double>(values[col]);
        flag += values[col] * T{0};  // NaN for NaN or ±inf, kept through the sum
      }
    }
    poison[chunk] = flag;
  });
  for (int chunk = 0; chunk < threads; ++chunk) {
    if (poison[chunk] == T{0}) continue;
    return NonFiniteError(data, ChunkBounds(data.rows, threads, chunk).first, what);
  }
  std::vector<double> means(cols, 0.0);
  for (const std::vector<double>& sums : partial) {
    for (size_t col = 0; col < cols; ++col) means[col] += sums[col];
  }
  for (size_t col = 0; col < cols; ++col) {
    means[col] /= static_cast<double>(data.rows);
    if (!std::isfinite(means[col])) {
      return Status::InvalidArgument("k-means: " + std::string(what) + " column " +
                                     std::to_string(col) + " overflows (values too large)");
    }
  }
  return means;
}

// ---------------------------------------------------------------------------------------
// Distance kernels.

// One 64-byte vector of T and the integer vector of the same shape, as GCC/Clang vector
// extensions: their element-wise operators compile to SIMD instructions on any target
// (two 256-bit or four 128-bit operations where 512-bit ones do not exist).
template <typename T>
struct Simd;
template <>
struct Simd<double> {
  typedef double Vec __attribute__((vector_size(64)));
  typedef int64_t Ids __attribute__((vector_size(64)));
};
template <>
struct Simd<float> {
  typedef float Vec __attribute__((vector_size(64)));
  typedef int32_t Ids __attribute__((vector_size(64)));
};

template <typename T>
constexpr size_t kLanes = 64 / sizeof(T);

template <typename T>
inline T SquaredDistance(const T* a, const T* b, size_t cols) {
  T sum = 0;
  for (size_t col = 0; col < cols; ++col) {
    const T diff = a[col] - b[col];
    sum += diff * diff;
  }
  return sum;
}

// The nearest centroid of a row (lowest index on ties), its squared distance, and the
// squared distance to the second nearest (infinity when there is one centroid).
template <typename T>
struct Nearest {
  int32_t cluster = 0;
  T first = 0;
  T second = std::numeric_limits<T>::infinity();
};

// Finds the nearest centroids of rows kLanes at a time, one row per vector lane: rows
// are copied transposed into a block, then each centroid is compared with the whole
// block (a subtraction and a multiply-add per column) and the running nearest / second
// nearest are kept per lane with vector selects. No horizontal reductions, any k.
//
//   NearestFinder<T> finder(data, centroids);
//   auto apply = [&](size_t row, const Nearest<T>& nearest) { ... };
//   for (size_t row : rows) finder.Add(row, apply);
//   finder.Flush(apply);  // the last, partial block
template <typename T>
class NearestFinder {
 public:
  using Vec = typename Simd<T>::Vec;
  using Ids = typename Simd<T>::Ids;

  NearestFinder(MatrixView<T> data, MatrixView<T> centroids)
      : data_(data), centroids_(centroids), block_(data.cols) {}

  template <typename Apply>
  void Add(size_t row, Apply& apply) {
    rows_[count_] = row;
    values_[count_++] = data_.row(row);
    if (count_ == kLanes<T>) Flush(apply);
  }

  template <typename Apply>
  void Flush(Apply& apply) {
    if (count_ == 0) return;
    for (size_t lane = count_; lane < kLanes<T>; ++lane) values_[lane] = values_[0];
    for (size_t col = 0; col < data_.cols; ++col) {
      block_[col] = Transpose(col, std::make_index_sequence<kLanes<T>>());
    }
    const Vec infinity = Vec{} + std::numeric_limits<T>::infinity();
    Vec first = infinity, second = infinity;
    Ids nearest = Ids{};
    for (size_t cluster = 0; cluster < centroids_.rows; ++cluster) {
      const Vec distance = BlockDistance(centroids_.row(cluster));
      const Ids closer = distance < first;
      second = closer ? first : (distance < second ? distance : second);
      nearest = closer ? Ids{} + static_cast<int32_t>(cluster) : nearest;
      first = closer ? distance : first;
    }
    for (size_t lane = 0; lane < count_; ++lane) {
      apply(rows_[lane],
            Nearest<T>{static_cast<int32_t>(nearest[lane]), first[lane], second[lane]});
    }
    count_ = 0;
  }

 private:
  // Column `col` of the block's rows as one vector, built in registers (element-wise
  // stores followed by a vector load would stall on store forwarding).
  template <size_t... Lane>
  Vec Transpose(size_t col, std::index_sequence<Lane...>) const {
    return Vec{values_[Lane][col]...};
  }

  // Squared distances from every row in the block to `centroid`.
  Vec BlockDistance(const T* centroid) const {
    Vec sum = Vec{};
    for (size_t col = 0; col < data_.cols; ++col) {
      const Vec diff = block_[col] - centroid[col];
      sum += diff * diff;
    }
    return sum;
  }

  MatrixView<T> data_;
  MatrixView<T> centroids_;
  std::vector<Vec> block_;  // block_[col][lane]: column col of the lane's row
  size_t rows_[kLanes<T>] = {};
  const T* values_[kLanes<T>] = {};  // the rows' values
  size_t count_ = 0;
};

// ---------------------------------------------------------------------------------------
// The problem and the running cluster statistics.

template <typename T>
struct Problem {
  MatrixView<T> data;
  std::vector<double> mean;  // column means: cluster sums are kept relative to them
  int threads = 1;
};

template <typename T>
Result<Problem<T>> MakeProblem(MatrixView<T> data, int threads) {
  SEG_RETURN_IF_ERROR(CheckShape(data, "data"));
  Problem<T> problem{data, {}, ResolveThreads(threads)};
  SEG_ASSIGN_OR_RETURN(problem.mean, FiniteColumnMeans(data, problem.threads, "data"));
  return problem;
}

// Per cluster: Σ (row − mean) and Σ |row − mean|² in double, and the row count. Holds
// either totals or one chunk's changes.
struct ClusterStats {
  size_t cols = 0;
  std::vector<double> sums;  // clusters × cols
  std::vector<double> norms;
  std::vector<int64_t> counts;
  int64_t moved = 0;  // chunk buffers: rows that changed cluster

  ClusterStats(size_t clusters, size_t columns)
      : cols(columns), sums(clusters * columns), norms(clusters), counts(clusters) {}

  void Clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(norms.begin(), norms.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    moved = 0;
  }

  // Adds (sign = +1) or removes (sign = −1) one row.
  template <typename T>
  void Add(size_t cluster, const T* row, const double* mean, double sign) {
    double* sum = sums.data() + cluster * cols;
    double norm = 0;
    for (size_t col = 0; col < cols; ++col) {
      const double centred = static_cast<double>(row[col]) - mean[col];
      sum[col] += sign * centred;
      norm += centred * centred;
    }
    norms[cluster] += sign * norm;
    counts[cluster] += sign > 0 ? 1 : -1;
  }

  template <typename T>
  void Move(size_t from, size_t to, const T* row, const double* mean) {
    Add(from, row, mean, -1.0);
    Add(to, row, mean, 1.0);
  }

  void Merge(const ClusterStats& other) {
    for (size_t index = 0; index < sums.size(); ++index) sums[index] += other.sums[index];
    for (size_t cluster = 0; cluster < counts.size(); ++cluster) {
      norms[cluster] += other.norms[cluster];
      counts[cluster] += other.counts[cluster];
    }
  }

  // Exact zeros for empty clusters (running sums leave rounding residue behind).
  void ClearEmpty() {
    for (size_t cluster = 0; cluster < counts.size(); ++cluster) {
      if (counts[cluster] != 0) continue;
      std::fill_n(sums.begin() + cluster * cols, cols, 0.0);
      norms[cluster] = 0;
    }
  }

  // Within-cluster sum of squares around the clusters' means: Σ |x − μ|² − |Σ (x − μ)|² / n.
  double WithinSumOfSquares() const {
    double total = 0;
    for (size_t cluster = 0; cluster < counts.size(); ++cluster) {
      if (counts[cluster] == 0) continue;
      const double* sum = sums.data() + cluster * cols;
      double sum_norm = 0;
      for (size_t col = 0; col < cols; ++col) sum_norm += sum[col] * sum[col];
      total += std::max(0.0, norms[cluster] - sum_norm / static_cast<double>(counts[cluster]));
    }
    return total;
  }
};

// Combines the chunk buffers into `total` in chunk order; returns the rows they moved.
int64_t MergeChunks(const std::vector<ClusterStats>& chunks, ClusterStats& total) {
  int64_t moved = 0;
  for (const ClusterStats& chunk : chunks) {
    total.Merge(chunk);
    moved += chunk.moved;
  }
  total.ClearEmpty();
  return moved;
}

// Centroids = means of the non-empty clusters; empty clusters keep their centroid.
template <typename T>
void UpdateCentroids(const ClusterStats& stats, const std::vector<double>& mean,
                     Matrix<T>& centroids) {
  for (size_t cluster = 0; cluster < centroids.rows(); ++cluster) {
    if (stats.counts[cluster] == 0) continue;
    const double scale = 1.0 / static_cast<double>(stats.counts[cluster]);
    const double* sum = stats.sums.data() + cluster * stats.cols;
    T* centroid = centroids.row(cluster);
    for (size_t col = 0; col < stats.cols; ++col) {
      centroid[col] = static_cast<T>(mean[col] + sum[col] * scale);
    }
  }
}

// How far each centroid moved in an update, and half the distance from each centroid to
// its nearest other centroid: what Hamerly's bounds need.
template <typename T>
struct Motion {
  std::vector<T> drift;
  std::vector<T> half_gap;
  T max_drift = 0;        // the largest drift
  T second_drift = 0;     // the largest drift of the other centroids
  int32_t farthest = -1;  // the centroid with the largest drift
};

template <typename T>
double Distance(const T* a, const T* b, size_t cols) {
  double sum = 0;
  for (size_t col = 0; col < cols; ++col) {
    const double diff = static_cast<double>(a[col]) - static_cast<double>(b[col]);
    sum += diff * diff;
  }
  return std::sqrt(sum);
}

template <typename T>
Motion<T> ComputeMotion(const Matrix<T>& before, const Matrix<T>& after) {
  const size_t clusters = after.rows(), cols = after.cols();
  Motion<T> motion;
  motion.drift.assign(clusters, T{0});
  motion.half_gap.assign(clusters, std::numeric_limits<T>::infinity());
  for (size_t cluster = 0; cluster < clusters; ++cluster) {
    const T drift = static_cast<T>(Distance(before.row(cluster), after.row(cluster), cols));
    motion.drift[cluster] = drift;
    if (drift > motion.max_drift) {
      motion.second_drift = motion.max_drift;
      motion.max_drift = drift;
      motion.farthest = static_cast<int32_t>(cluster);
    } else if (drift > motion.second_drift) {
      motion.second_drift = drift;
    }
    for (size_t other = 0; other < cluster; ++other) {
      const T half = static_cast<T>(0.5 * Distance(after.row(cluster), after.row(other), cols));
      motion.half_gap[cluster] = std::min(motion.half_gap[cluster], half);
      motion.half_gap[other] = std::min(motion.half_gap[other], half);
    }
  }
  return motion;
}

// ---------------------------------------------------------------------------------------
// Lloyd iterations, plain or bounded.

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
constexpr size_t kSweepRows = 512;

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

bool InertiaSettled(double previous, double current, double tolerance) {
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

}  // namespace

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
