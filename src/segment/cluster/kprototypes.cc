#include "segmenta/kprototypes.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/parallel.h"

namespace segmenta {
namespace {

constexpr size_t kMaxLevelCells = size_t{1} << 28;

// The input with its shape resolved and the per-column level ranges of the codes.
struct Data {
  MatrixView<double> numeric;
  MatrixView<int32_t> categories;
  size_t rows = 0, p = 0, q = 0;
  std::vector<size_t> level_offset;  // q + 1 entries: column j's levels are
                                     // [level_offset[j], level_offset[j + 1])
  size_t levels() const { return level_offset.back(); }
  const double* x(size_t row) const { return numeric.data + row * p; }
  const int32_t* codes(size_t row) const { return categories.data + row * q; }
};

struct Prototypes {
  Matrix<double> centroids;  // k × p
  Matrix<int32_t> modes;     // k × q
};

// Per-chunk (then merged) sufficient statistics of one assignment pass.
struct Accumulator {
  std::vector<double> sums;            // k × p
  std::vector<size_t> counts;          // k
  std::vector<uint64_t> level_counts;  // k × levels
  double cost = 0.0;
  size_t changes = 0;

  Accumulator(size_t k, size_t p, size_t levels)
      : sums(k * p, 0.0), counts(k, 0), level_counts(k * levels, 0) {}

  void Reset() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(level_counts.begin(), level_counts.end(), 0);
    cost = 0.0;
    changes = 0;
  }

  void Merge(const Accumulator& other) {
    for (size_t idx = 0; idx < sums.size(); ++idx) sums[idx] += other.sums[idx];
    for (size_t idx = 0; idx < counts.size(); ++idx) counts[idx] += other.counts[idx];
    for (size_t idx = 0; idx < level_counts.size(); ++idx) {
      level_counts[idx] += other.level_counts[idx];
    }
    cost += other.cost;
    changes += other.changes;
  }
};

// ---- distance --------------------------------------------------------------------

inline double Distance(const Data& data, size_t row, const Prototypes& prototypes, size_t cluster,
                       double gamma) {
  const double* x = data.x(row);
  const double* centroid = prototypes.centroids.row(cluster);
  double squared = 0.0;
  for (size_t col = 0; col < data.p; ++col) {
    double diff = x[col] - centroid[col];
    squared += diff * diff;
  }
  const int32_t* codes = data.codes(row);
  const int32_t* mode = prototypes.modes.row(cluster);
  int mismatches = 0;
  for (size_t col = 0; col < data.q; ++col) {
    mismatches += (codes[col] != mode[col]) | (codes[col] < 0);
  }
  return squared + gamma * mismatches;
}

// Nearest prototype of `row` (the smallest index on ties) and its distance.
inline std::pair<int32_t, double> Nearest(const Data& data, size_t row,
                                          const Prototypes& prototypes, double gamma) {
  size_t k = prototypes.centroids.rows();
  int32_t best = 0;
  double best_distance = Distance(data, row, prototypes, 0, gamma);
  for (size_t cluster = 1; cluster < k; ++cluster) {
    double distance = Distance(data, row, prototypes, cluster, gamma);
    if (distance < best_distance) {
      best_distance = distance;
      best = static_cast<int32_t>(cluster);
    }
  }
  return {best, best_distance};
}

// ---- input checks -------------------------------------------------------------------

Result<Data> ResolveData(MatrixView<double> numeric, MatrixView<int32_t> categories) {
  Data data;
  data.numeric = numeric;
  data.categories = categories;
  data.p = numeric.cols;
  data.q = categories.cols;
  if (data.p == 0 && data.q == 0) return Status::InvalidArgument("k-prototypes: no columns");
  bool numeric_sized = data.p > 0 || numeric.rows > 0;
  bool categories_sized = data.q > 0 || categories.rows > 0;
  if (numeric_sized && categories_sized && numeric.rows != categories.rows) {
    return Status::InvalidArgument("k-prototypes: " + std::to_string(numeric.rows) +
                                   " numeric rows but " + std::to_string(categories.rows) +
                                   " categorical rows");
  }
  data.rows = numeric_sized ? numeric.rows : categories.rows;
  return data;
}

Status CheckFinite(const Data& data) {
  for (size_t idx = 0; idx < data.rows * data.p; ++idx) {
    if (!std::isfinite(data.numeric.data[idx])) {
      return Status::DataError("k-prototypes: non-finite numeric value at row " +
                               std::to_string(idx / data.p) + ", column " +
                               std::to_string(idx % data.p));
    }
  }
  return Status::Ok();
}

// Fills data.level_offset from the largest code of each column.
Status CountLevels(Data& data, size_t k) {
  data.level_offset.assign(data.q + 1, 0);
  std::vector<int32_t> largest(data.q, -1);
  for (size_t row = 0; row < data.rows; ++row) {
    const int32_t* codes = data.codes(row);
    for (size_t col = 0; col < data.q; ++col) largest[col] = std::max(largest[col], codes[col]);
  }
  for (size_t col = 0; col < data.q; ++col) {
    data.level_offset[col + 1] = data.level_offset[col] + static_cast<size_t>(largest[col] + 1);
  }
  if (data.levels() * k > kMaxLevelCells) {
    return Status::InvalidArgument("k-prototypes: too many category levels (" +
                                   std::to_string(data.levels()) + ")");
  }
  return Status::Ok();
}

Status CheckOptions(const KPrototypesOptions& options, const Data& data) {
  if (options.k < 1) return Status::InvalidArgument("k-prototypes: k must be at least 1");
  if (static_cast<size_t>(options.k) > data.rows) {
    return Status::InvalidArgument("k-prototypes: k = " + std::to_string(options.k) +
                                   " is more than the " + std::to_string(data.rows) + " rows");
  }
  if (options.gamma < 0 || std::isinf(options.gamma)) {
    return Status::InvalidArgument("k-prototypes: gamma must be finite and >= 0");
  }
  if (options.max_iterations < 1 || options.restarts < 1 || !(options.tolerance >= 0)) {
    return Status::InvalidArgument(
        "k-prototypes: max_iterations and restarts must be >= 1, tolerance >= 0");
  }
  bool has_centroids = !options.initial_centroids.empty();
  bool has_modes = !options.initial_modes.empty();
  if (!has_centroids && !has_modes) return Status::Ok();
  size_t k = options.k;
  bool shaped = (data.p == 0 || (has_centroids && options.initial_centroids.rows() == k &&
                                 options.initial_centroids.cols() == data.p)) &&
                (data.q == 0 || (has_modes && options.initial_modes.rows() == k &&
                                 options.initial_modes.cols() == data.q));
  if (!shaped)
    return Status::InvalidArgument("k-prototypes: initial prototypes must be k × p, k × q");
  return Status::Ok();
}

// ---- seeding -------------------------------------------------------------------------

uint64_t SplitMix64(uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

// Uniform in [0, 1) from 53 random bits (the same on every platform, unlike
// std::uniform_real_distribution).
double Uniform(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

size_t UniformRow(std::mt19937_64& random, size_t rows) {
  return std::min(rows - 1, static_cast<size_t>(Uniform(random) * static_cast<double>(rows)));
}

void CopyRow(const Data& data, size_t row, Prototypes& prototypes, size_t cluster) {
  std::copy(data.x(row), data.x(row) + data.p, prototypes.centroids.row(cluster));
  std::copy(data.codes(row), data.codes(row) + data.q, prototypes.modes.row(cluster));
}

Prototypes EmptyPrototypes(const Data& data, size_t k) {
  return {Matrix<double>(k, data.p), Matrix<int32_t>(k, data.q)};
}

// The row at which the running sum of `weights` passes `target` (the last positive one
// when rounding leaves the target beyond the total).
size_t DrawWeighted(const std::vector<double>& weights, double target) {
  double running = 0.0;
  size_t last_positive = 0;
  for (size_t row = 0; row < weights.size(); ++row) {
    if (weights[row] <= 0) continue;
    running += weights[row];
    last_positive = row;
    if (running > target) return row;
  }
  return last_positive;
}

Prototypes SeedPlusPlus(const Data& data, size_t k, double gamma, std::mt19937_64& random,
                        int threads) {
  Prototypes prototypes = EmptyPrototypes(data, k);
  CopyRow(data, UniformRow(random, data.rows), prototypes, 0);
  std::vector<double> nearest(data.rows, std::numeric_limits<double>::infinity());
  std::vector<double> partial(threads);
  for (size_t cluster = 1; cluster <= k; ++cluster) {
    ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
      double sum = 0.0;
      for (size_t row = begin; row < end; ++row) {
        nearest[row] = std::min(nearest[row], Distance(data, row, prototypes, cluster - 1, gamma));
        sum += nearest[row];
      }
      partial[chunk] = sum;
    });
    if (cluster == k) break;
    double total = 0.0;
    for (double sum : partial) total += sum;
    size_t row =
        total > 0 ? DrawWeighted(nearest, Uniform(random) * total) : UniformRow(random, data.rows);
    CopyRow(data, row, prototypes, cluster);
  }
  return prototypes;
}

Prototypes SeedRandom(const Data& data, size_t k, std::mt19937_64& random) {
  Prototypes prototypes = EmptyPrototypes(data, k);
  std::unordered_set<size_t> chosen;
  for (size_t cluster = 0; cluster < k; ++cluster) {
    size_t row = UniformRow(random, data.rows);
    while (!chosen.insert(row).second) row = UniformRow(random, data.rows);
    CopyRow(data, row, prototypes, cluster);
  }
  return prototypes;
}

// ---- one restart -------------------------------------------------------------------------

struct Restart {
  const Data& data;
  size_t k;
  double gamma;
  int threads;
  std::vector<int32_t> labels;      // after the last iteration (−1 before the first)
  std::vector<int32_t> new_labels;  // being computed by this iteration
  std::vector<double> distances;    // of each row to its prototype in new_labels
  std::vector<Accumulator> chunks;
  Accumulator total;

  Restart(const Data& input, size_t clusters, double weight, int thread_count)
      : data(input),
        k(clusters),
        gamma(weight),
        threads(thread_count),
        labels(input.rows, -1),
        new_labels(input.rows, -1),
        distances(input.rows, 0.0),
        chunks(thread_count, Accumulator(clusters, input.p, input.levels())),
        total(clusters, input.p, input.levels()) {}

  // Adds (sign = 1) or removes (sign = −1, unsigned wrap-around) a row's statistics.
  void AddRow(Accumulator& acc, size_t row, int32_t cluster, int64_t sign) const {
    const double* x = data.x(row);
    double* sums = acc.sums.data() + cluster * data.p;
    for (size_t col = 0; col < data.p; ++col) sums[col] += static_cast<double>(sign) * x[col];
    acc.counts[cluster] += sign;
    const int32_t* codes = data.codes(row);
    uint64_t* levels = acc.level_counts.data() + cluster * data.levels();
    for (size_t col = 0; col < data.q; ++col) {
      if (codes[col] >= 0) levels[data.level_offset[col] + codes[col]] += sign;
    }
  }

  // Assigns every row to its nearest prototype (into new_labels); fills `total`.
  void Assign(const Prototypes& prototypes) {
    ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
      Accumulator& acc = chunks[chunk];
      acc.Reset();
      for (size_t row = begin; row < end; ++row) {
        auto [cluster, distance] = Nearest(data, row, prototypes, gamma);
        acc.changes += labels[row] != cluster;
        new_labels[row] = cluster;
        distances[row] = distance;
        acc.cost += distance;
        AddRow(acc, row, cluster, 1);
      }
    });
    total.Reset();
    for (const Accumulator& acc : chunks) total.Merge(acc);
  }

  // Gives each empty cluster the row farthest from its prototype among clusters of
  // more than one row (the smallest row index on ties).
  void Reseed() {
    for (size_t cluster = 0; cluster < k; ++cluster) {
      if (total.counts[cluster] > 0) continue;
      size_t farthest = data.rows;
      for (size_t row = 0; row < data.rows; ++row) {
        if (total.counts[new_labels[row]] < 2) continue;
        if (farthest == data.rows || distances[row] > distances[farthest]) farthest = row;
      }
      if (farthest == data.rows) return;  // cannot happen while k <= n
      int32_t from = new_labels[farthest], to = static_cast<int32_t>(cluster);
      AddRow(total, farthest, from, -1);
      AddRow(total, farthest, to, 1);
      // Count net changes against the previous iteration's labels.
      if (labels[farthest] != from) --total.changes;
      if (labels[farthest] != to) ++total.changes;
      new_labels[farthest] = to;
      distances[farthest] = 0.0;
    }
  }

  // Means and modes from `total`.
  void Update(Prototypes& prototypes) const {
    for (size_t cluster = 0; cluster < k; ++cluster) {
      size_t count = total.counts[cluster];
      if (count == 0) continue;
      double* centroid = prototypes.centroids.row(cluster);
      for (size_t col = 0; col < data.p; ++col) {
        centroid[col] = total.sums[cluster * data.p + col] / static_cast<double>(count);
      }
      UpdateModes(cluster, prototypes.modes.row(cluster));
    }
  }

  void UpdateModes(size_t cluster, int32_t* mode) const {
    const uint64_t* levels = total.level_counts.data() + cluster * data.levels();
    for (size_t col = 0; col < data.q; ++col) {
      int32_t best = -1;
      uint64_t best_count = 0;
      size_t width = data.level_offset[col + 1] - data.level_offset[col];
      for (size_t code = 0; code < width; ++code) {
        uint64_t count = levels[data.level_offset[col] + code];
        if (count > best_count) {
          best_count = count;
          best = static_cast<int32_t>(code);
        }
      }
      mode[col] = best;
    }
  }

  double Cost(const Prototypes& prototypes) const {
    std::vector<double> partial(threads, 0.0);
    ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
      double sum = 0.0;
      for (size_t row = begin; row < end; ++row) {
        sum += Distance(data, row, prototypes, labels[row], gamma);
      }
      partial[chunk] = sum;
    });
    double cost = 0.0;
    for (double sum : partial) cost += sum;
    return cost;
  }

  KPrototypesFit Run(Prototypes prototypes, int max_iterations, double tolerance) {
    KPrototypesFit fit;
    double previous_cost = 0.0;
    for (int iteration = 1; iteration <= max_iterations; ++iteration) {
      Assign(prototypes);
      Reseed();
      labels.swap(new_labels);
      Update(prototypes);
      fit.iterations = iteration;
      bool stalled =
          iteration > 1 && tolerance > 0 && previous_cost - total.cost <= tolerance * previous_cost;
      if (total.changes == 0 || stalled) {
        fit.converged = true;
        break;
      }
      previous_cost = total.cost;
    }
    fit.cost = Cost(prototypes);
    fit.gamma = gamma;
    fit.sizes = total.counts;
    fit.labels = std::move(labels);
    fit.centroids = std::move(prototypes.centroids);
    fit.modes = std::move(prototypes.modes);
    return fit;
  }
};

Prototypes InitialPrototypes(const Data& data, const KPrototypesOptions& options, double gamma,
                             int restart, int threads) {
  if (!options.initial_centroids.empty() || !options.initial_modes.empty()) {
    Prototypes prototypes = EmptyPrototypes(data, options.k);
    if (data.p > 0) prototypes.centroids = options.initial_centroids;
    if (data.q > 0) prototypes.modes = options.initial_modes;
    return prototypes;
  }
  std::mt19937_64 random(SplitMix64(options.seed + static_cast<uint64_t>(restart)));
  if (options.init == KPrototypesInit::kRandom) return SeedRandom(data, options.k, random);
  return SeedPlusPlus(data, options.k, gamma, random, threads);
}

}  // namespace

double DefaultGamma(MatrixView<double> numeric, int threads) {
  size_t p = numeric.cols, rows = numeric.rows;
  if (p == 0 || rows == 0) return 1.0;
  threads = ResolveThreads(threads);
  std::vector<std::vector<double>> partial(threads, std::vector<double>(p, 0.0));
  auto column_pass = [&](const std::vector<double>* mean) {
    ParallelFor(rows, threads, [&](size_t begin, size_t end, int chunk) {
      std::vector<double>& sums = partial[chunk];
      std::fill(sums.begin(), sums.end(), 0.0);
      for (size_t row = begin; row < end; ++row) {
        const double* x = numeric.row(row);
        for (size_t col = 0; col < p; ++col) {
          double value = mean ? (x[col] - (*mean)[col]) * (x[col] - (*mean)[col]) : x[col];
          sums[col] += value;
        }
      }
    });
    std::vector<double> total(p, 0.0);
    for (const std::vector<double>& sums : partial) {
      for (size_t col = 0; col < p; ++col) total[col] += sums[col] / static_cast<double>(rows);
    }
    return total;
  };
  std::vector<double> mean = column_pass(nullptr);
  std::vector<double> variance = column_pass(&mean);
  double mean_deviation = 0.0;
  for (double value : variance) mean_deviation += std::sqrt(value) / static_cast<double>(p);
  return mean_deviation > 0 ? 0.5 * mean_deviation : 1.0;
}

Result<KPrototypesFit> KPrototypes::Fit(MatrixView<double> numeric,
                                        MatrixView<int32_t> categories) const {
  SEG_ASSIGN_OR_RETURN(Data data, ResolveData(numeric, categories));
  SEG_RETURN_IF_ERROR(CheckOptions(options_, data));
  SEG_RETURN_IF_ERROR(CheckFinite(data));
  SEG_RETURN_IF_ERROR(CountLevels(data, options_.k));
  int threads = ResolveThreads(options_.threads);
  double gamma = std::isnan(options_.gamma) ? DefaultGamma(data.numeric, threads) : options_.gamma;
  bool given = !options_.initial_centroids.empty() || !options_.initial_modes.empty();
  int restarts = given ? 1 : options_.restarts;
  std::optional<KPrototypesFit> best;
  for (int restart = 0; restart < restarts; ++restart) {
    Prototypes initial = InitialPrototypes(data, options_, gamma, restart, threads);
    Restart run(data, options_.k, gamma, threads);
    KPrototypesFit fit = run.Run(std::move(initial), options_.max_iterations, options_.tolerance);
    fit.restart = restart;
    if (!best || fit.cost < best->cost) best = std::move(fit);
  }
  return std::move(*best);
}

Result<KPrototypesFit> RunKPrototypes(MatrixView<double> numeric, MatrixView<int32_t> categories,
                                      const KPrototypesOptions& options) {
  return KPrototypes(options).Fit(numeric, categories);
}

Result<KPrototypesAssignment> AssignPrototypes(MatrixView<double> numeric,
                                               MatrixView<int32_t> categories,
                                               const KPrototypesFit& fit, int threads) {
  SEG_ASSIGN_OR_RETURN(Data data, ResolveData(numeric, categories));
  if (data.p != fit.centroids.cols() || data.q != fit.modes.cols() || fit.centroids.empty()) {
    return Status::InvalidArgument("k-prototypes: rows to assign do not have the fit's columns");
  }
  SEG_RETURN_IF_ERROR(CheckFinite(data));
  threads = ResolveThreads(threads);
  Prototypes prototypes{fit.centroids, fit.modes};
  KPrototypesAssignment out;
  out.labels.resize(data.rows);
  out.distances.resize(data.rows);
  std::vector<double> partial(threads, 0.0);
  ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
    for (size_t row = begin; row < end; ++row) {
      auto [cluster, distance] = Nearest(data, row, prototypes, fit.gamma);
      out.labels[row] = cluster;
      out.distances[row] = distance;
      partial[chunk] += distance;
    }
  });
  for (double sum : partial) out.cost += sum;
  return out;
}

}  // namespace segmenta
