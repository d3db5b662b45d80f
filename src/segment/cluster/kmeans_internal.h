// The machinery of the k-means engine shared by its parts (kmeans.cc, kmeans_lloyd.h):
// seeded random streams, option and data checks, the blocked nearest-centroid kernel,
// the problem (data + column means), cluster sums and centroid motion. Only the
// k-means sources include it; they are all compiled with the same flags.
#ifndef SEGMENTA_SEGMENT_CLUSTER_KMEANS_INTERNAL_H_
#define SEGMENTA_SEGMENT_CLUSTER_KMEANS_INTERNAL_H_

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "segmenta/kmeans.h"

namespace segmenta::kmeans_internal {

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
inline uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  if (stream == 0) return seed;
  Rng mixer(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  return mixer.Next();
}

// ---------------------------------------------------------------------------------------
// Validation.

inline Status CheckOptions(const KMeansOptions& options) {
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

inline Status CheckK(int64_t k, size_t rows) {
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
inline constexpr size_t kLanes = 64 / sizeof(T);

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
inline int64_t MergeChunks(const std::vector<ClusterStats>& chunks, ClusterStats& total) {
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

}  // namespace segmenta::kmeans_internal

#endif  // SEGMENTA_SEGMENT_CLUSTER_KMEANS_INTERNAL_H_
