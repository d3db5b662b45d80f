// Cluster-quality metrics (include/segmenta/cluster_metrics.h), computed to give
// scikit-learn 1.2's values.
//
// Silhouette sums, for every row, its distances to the rows of each cluster. The rows
// (or the sample) are grouped by cluster and stored by column, so that one row's
// distances to a run of rows of one cluster vectorise; each pair is visited once (the
// upper triangle), its distance added to the row's sum for the other row's cluster and
// to a per-thread column sum for the other row. Rows are cut into thread ranges of equal
// pair counts and walked in blocks of rows × tiles of columns that stay in cache.
// Calinski–Harabasz and Davies–Bouldin are two passes over the data: cluster means,
// then squared or plain distances to them.

#include <Eigen/Core>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "segmenta/cluster_metrics.h"

namespace segmenta {
namespace {

constexpr size_t kRowBlock = 32;  // rows sharing one column tile while it is in cache
constexpr size_t kColTile = 512;  // columns per tile: kColTile × d doubles
constexpr size_t kLanes = 8;      // independent partial sums, one vector wide

// ---- Checks shared by the data metrics ------------------------------------------

Status CheckShape(MatrixView<double> data, std::span<const int32_t> labels) {
  if (labels.size() != data.rows) {
    return Status::InvalidArgument("cluster metrics: " + std::to_string(labels.size()) +
                                   " labels for " + std::to_string(data.rows) + " rows");
  }
  if (data.cols == 0) return Status::InvalidArgument("cluster metrics: the data has no columns");
  return Status::Ok();
}

// scikit-learn's rule: 2 <= clusters present <= rows - 1.
Status CheckClusterCount(size_t present, size_t rows) {
  if (present >= 2 && present + 1 <= rows) return Status::Ok();
  return Status::InvalidArgument("cluster metrics need between 2 and n - 1 clusters; found " +
                                 std::to_string(present) + " among " + std::to_string(rows) +
                                 " rows");
}

Status NonFiniteError() {
  return Status::InvalidArgument("cluster metrics: the data holds NaN or infinite values");
}

Status LabelError(int32_t label, size_t row, int k) {
  return Status::InvalidArgument("cluster metrics: label " + std::to_string(label) + " of row " +
                                 std::to_string(row) + " is outside 0 .. " + std::to_string(k - 1));
}

// Sum of `count` values in kLanes independent partial sums (which vectorise), then
// the lanes and the tail in order: the same answer for the same input every time.
double LaneSum(const double* values, size_t count) {
  double lanes[kLanes] = {};
  size_t idx = 0;
  for (; idx + kLanes <= count; idx += kLanes) {
    for (size_t lane = 0; lane < kLanes; ++lane) lanes[lane] += values[idx + lane];
  }
  double total = 0.0;
  for (double lane_sum : lanes) total += lane_sum;
  for (; idx < count; ++idx) total += values[idx];
  return total;
}

// ---- Cluster means (Calinski–Harabasz, Davies–Bouldin) --------------------------

struct ClusterMeans {
  size_t dims = 0;
  std::vector<int64_t> counts;     // rows per label, k
  std::vector<double> means;       // k × dims; zero for labels with no rows
  std::vector<double> grand_mean;  // dims
  size_t present = 0;              // labels with rows
};

// Counts, means and the grand mean; rejects bad labels, NaN and infinities (a
// non-finite value makes its column's sum non-finite, so the sums are the check).
Result<ClusterMeans> ComputeClusterMeans(MatrixView<double> data, std::span<const int32_t> labels,
                                         int k) {
  SEG_RETURN_IF_ERROR(CheckShape(data, labels));
  if (k < 1) return Status::InvalidArgument("cluster metrics: k must be at least 1");
  ClusterMeans out;
  out.dims = data.cols;
  out.counts.assign(k, 0);
  std::vector<double> sums(static_cast<size_t>(k) * out.dims, 0.0);
  for (size_t row_idx = 0; row_idx < data.rows; ++row_idx) {
    int32_t label = labels[row_idx];
    if (label < 0 || label >= k) return LabelError(label, row_idx, k);
    ++out.counts[label];
    const double* point = data.row(row_idx);
    double* sum = &sums[label * out.dims];
    for (size_t dim = 0; dim < out.dims; ++dim) sum[dim] += point[dim];
  }
  out.grand_mean.assign(out.dims, 0.0);
  out.means.assign(sums.size(), 0.0);
  for (int cluster = 0; cluster < k; ++cluster) {
    if (out.counts[cluster] == 0) continue;
    ++out.present;
    for (size_t dim = 0; dim < out.dims; ++dim) {
      double sum = sums[cluster * out.dims + dim];
      out.grand_mean[dim] += sum;
      out.means[cluster * out.dims + dim] = sum / static_cast<double>(out.counts[cluster]);
    }
  }
  for (double& value : out.grand_mean) {
    if (!std::isfinite(value)) return NonFiniteError();
    value /= static_cast<double>(data.rows);
  }
  SEG_RETURN_IF_ERROR(CheckClusterCount(out.present, data.rows));
  return out;
}

double SquaredDistance(const double* a, const double* b, size_t dims) {
  double total = 0.0;
  for (size_t dim = 0; dim < dims; ++dim) total += (a[dim] - b[dim]) * (a[dim] - b[dim]);
  return total;
}

// ---- Silhouette -----------------------------------------------------------------

// Uniform in [0, bound), from the high half of a 64 × 64-bit product.
size_t UniformBelow(std::mt19937_64& random, size_t bound) {
  return static_cast<size_t>((static_cast<unsigned __int128>(random()) * bound) >> 64);
}

// All rows, or `sample_size` distinct rows drawn with `seed` (Floyd's algorithm),
// in increasing order.
std::vector<size_t> SampleRows(size_t rows, size_t sample_size, uint64_t seed) {
  std::vector<size_t> picked;
  if (sample_size == 0 || sample_size >= rows) {
    picked.resize(rows);
    std::iota(picked.begin(), picked.end(), size_t{0});
    return picked;
  }
  std::mt19937_64 random(seed);
  std::unordered_set<size_t> chosen;
  chosen.reserve(2 * sample_size);
  for (size_t top = rows - sample_size; top < rows; ++top) {
    size_t pick = UniformBelow(random, top + 1);
    if (!chosen.insert(pick).second) chosen.insert(top);
  }
  picked.assign(chosen.begin(), chosen.end());
  std::sort(picked.begin(), picked.end());
  return picked;
}

// The rows a silhouette is computed over, grouped by cluster and stored by column.
struct SilhouetteLayout {
  size_t rows = 0;
  size_t dims = 0;
  std::vector<double> columns;   // dims × rows: column `dim` starts at dim * rows
  std::vector<int32_t> cluster;  // compact cluster (0 .. clusters-1) of each row
  std::vector<size_t> offsets;   // cluster c holds rows [offsets[c], offsets[c + 1])
  size_t clusters() const { return offsets.size() - 1; }
  double at(size_t row_idx, size_t dim) const { return columns[dim * rows + row_idx]; }
};

// Lays out the picked rows; rejects negative labels and non-finite values among them.
Result<SilhouetteLayout> LayOut(MatrixView<double> data, std::span<const int32_t> labels,
                                const std::vector<size_t>& picked) {
  std::vector<std::pair<int32_t, size_t>> keyed;
  keyed.reserve(picked.size());
  for (size_t row_idx : picked) {
    if (labels[row_idx] < 0) {
      return Status::InvalidArgument("cluster metrics: label " + std::to_string(labels[row_idx]) +
                                     " of row " + std::to_string(row_idx) + " is negative");
    }
    keyed.emplace_back(labels[row_idx], row_idx);
  }
  std::sort(keyed.begin(), keyed.end());
  SilhouetteLayout layout;
  layout.rows = keyed.size();
  layout.dims = data.cols;
  layout.columns.resize(layout.rows * layout.dims);
  layout.cluster.resize(layout.rows);
  layout.offsets.push_back(0);
  for (size_t pos = 0; pos < keyed.size(); ++pos) {
    if (pos > 0 && keyed[pos].first != keyed[pos - 1].first) layout.offsets.push_back(pos);
    layout.cluster[pos] = static_cast<int32_t>(layout.offsets.size() - 1);
    const double* point = data.row(keyed[pos].second);
    for (size_t dim = 0; dim < layout.dims; ++dim) {
      if (!std::isfinite(point[dim])) return NonFiniteError();
      layout.columns[dim * layout.rows + pos] = point[dim];
    }
  }
  layout.offsets.push_back(layout.rows);
  SEG_RETURN_IF_ERROR(CheckClusterCount(layout.clusters(), layout.rows));
  return layout;
}

// Distances from `point` to rows [begin, end), all of one cluster, left in
// `distances`; adds each to that row's entry of `column_sums` (indexed by row) and
// returns their sum.
double SweepRun(const SilhouetteLayout& layout, const double* point, size_t begin, size_t end,
                double* column_sums, double* distances) {
  size_t count = end - begin;
  for (size_t dim = 0; dim < layout.dims; ++dim) {
    const double* column = layout.columns.data() + dim * layout.rows + begin;
    double coordinate = point[dim];
    if (dim == 0) {
      for (size_t pos = 0; pos < count; ++pos) {
        distances[pos] = (column[pos] - coordinate) * (column[pos] - coordinate);
      }
      continue;
    }
    for (size_t pos = 0; pos < count; ++pos) {
      distances[pos] += (column[pos] - coordinate) * (column[pos] - coordinate);
    }
  }
  Eigen::Map<Eigen::ArrayXd> run(distances, static_cast<Eigen::Index>(count));
  run = run.sqrt();  // Eigen's sqrt vectorises; std::sqrt does not (errno)
  double* sums = column_sums + begin;
  for (size_t pos = 0; pos < count; ++pos) sums[pos] += distances[pos];
  return LaneSum(distances, count);
}

// The pairs (row_idx, j) for j in [begin, end), j > row_idx: adds each distance to
// row_sums (row_idx's sum per cluster) and to column_sums (j's sum for row_idx's
// cluster, clusters × rows).
void SweepRow(const SilhouetteLayout& layout, size_t row_idx, size_t begin, size_t end,
              double* row_sums, double* column_sums, double* point, double* distances) {
  for (size_t dim = 0; dim < layout.dims; ++dim) point[dim] = layout.at(row_idx, dim);
  double* own_column_sums = column_sums + layout.cluster[row_idx] * layout.rows;
  for (size_t start = begin; start < end;) {
    int32_t other = layout.cluster[start];
    size_t stop = std::min(end, layout.offsets[other + 1]);
    row_sums[other] += SweepRun(layout, point, start, stop, own_column_sums, distances);
    start = stop;
  }
}

// Every pair (i, j), i in [row_begin, row_end), j > i, in blocks of rows × tiles of
// columns. row_sums is rows × clusters (rows of this range only are written);
// column_sums is this thread's clusters × rows.
void SweepRows(const SilhouetteLayout& layout, size_t row_begin, size_t row_end, double* row_sums,
               double* column_sums) {
  std::vector<double> point(layout.dims), distances(kColTile);
  for (size_t block = row_begin; block < row_end; block += kRowBlock) {
    size_t block_end = std::min(row_end, block + kRowBlock);
    for (size_t tile = block + 1; tile < layout.rows; tile += kColTile) {
      size_t tile_end = std::min(layout.rows, tile + kColTile);
      for (size_t row_idx = block; row_idx < block_end; ++row_idx) {
        size_t begin = std::max(tile, row_idx + 1);
        if (begin >= tile_end) continue;
        SweepRow(layout, row_idx, begin, tile_end, row_sums + row_idx * layout.clusters(),
                 column_sums, point.data(), distances.data());
      }
    }
  }
}

// Boundaries cutting rows into `parts` ranges with about equal numbers of pairs
// (row i pairs with the rows - 1 - i rows after it).
std::vector<size_t> TriangleSplit(size_t rows, int parts) {
  auto pairs_before = [rows](size_t row) {
    double r = static_cast<double>(row);
    return r * static_cast<double>(rows) - r * (r + 1.0) / 2.0;
  };
  std::vector<size_t> bounds(parts + 1, rows);
  bounds[0] = 0;
  double total = pairs_before(rows);
  for (int part = 1; part < parts; ++part) {
    double target = total * part / parts;
    size_t low = bounds[part - 1], high = rows;
    while (low < high) {
      size_t mid = low + (high - low) / 2;
      if (pairs_before(mid) < target) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    bounds[part] = low;
  }
  return bounds;
}

// sums[i * clusters + c]: the sum of distances from row i to the rows of cluster c.
std::vector<double> ClusterDistanceSums(const SilhouetteLayout& layout, int threads) {
  size_t clusters = layout.clusters();
  std::vector<double> sums(layout.rows * clusters, 0.0);
  std::vector<size_t> bounds = TriangleSplit(layout.rows, threads);
  std::vector<std::vector<double>> column_sums(threads);
  ParallelFor(threads, threads, [&](size_t first, size_t last, int chunk) {
    if (first == last) return;
    column_sums[chunk].assign(clusters * layout.rows, 0.0);
    SweepRows(layout, bounds[chunk], bounds[chunk + 1], sums.data(), column_sums[chunk].data());
  });
  for (const std::vector<double>& thread_sums : column_sums) {
    if (thread_sums.empty()) continue;
    for (size_t row_idx = 0; row_idx < layout.rows; ++row_idx) {
      for (size_t other = 0; other < clusters; ++other) {
        sums[row_idx * clusters + other] += thread_sums[other * layout.rows + row_idx];
      }
    }
  }
  return sums;
}

// One row's (b - a) / max(a, b); 0 for a row alone in its cluster, or when a = b = 0
// (scikit-learn's nan_to_num).
double RowSilhouette(const SilhouetteLayout& layout, const double* sums, int32_t own) {
  auto size = [&](size_t cluster) {
    return static_cast<double>(layout.offsets[cluster + 1] - layout.offsets[cluster]);
  };
  if (size(own) <= 1.0) return 0.0;
  double within = sums[own] / (size(own) - 1.0);
  double nearest = std::numeric_limits<double>::infinity();
  for (size_t other = 0; other < layout.clusters(); ++other) {
    if (other != static_cast<size_t>(own)) nearest = std::min(nearest, sums[other] / size(other));
  }
  double scale = std::max(within, nearest);
  return scale > 0.0 ? (nearest - within) / scale : 0.0;
}

// ---- Adjusted Rand index --------------------------------------------------------

// Ids renumbered 0 .. count-1 in order of first appearance.
struct Codes {
  std::vector<int32_t> code;
  size_t count = 0;
};

Codes Encode(std::span<const int32_t> ids) {
  Codes out;
  out.code.resize(ids.size());
  if (ids.empty()) return out;
  auto [low, high] = std::minmax_element(ids.begin(), ids.end());
  int64_t range = int64_t{*high} - *low + 1;
  if (range <= 4 * static_cast<int64_t>(ids.size()) + 1024) {
    std::vector<int32_t> table(range, -1);
    for (size_t pos = 0; pos < ids.size(); ++pos) {
      int32_t& slot = table[ids[pos] - int64_t{*low}];
      if (slot < 0) slot = static_cast<int32_t>(out.count++);
      out.code[pos] = slot;
    }
    return out;
  }
  std::unordered_map<int32_t, int32_t> table;
  for (size_t pos = 0; pos < ids.size(); ++pos) {
    auto [slot, added] = table.emplace(ids[pos], static_cast<int32_t>(out.count));
    if (added) ++out.count;
    out.code[pos] = slot->second;
  }
  return out;
}

// Σ over cells of the contingency table of (a, b) of the squared cell count.
int64_t SumOfSquaredCells(const Codes& a, const Codes& b) {
  size_t rows = a.code.size();
  int64_t total = 0;
  if (a.count * b.count <= 4 * rows + 4096) {
    std::vector<int64_t> cells(a.count * b.count, 0);
    for (size_t pos = 0; pos < rows; ++pos) ++cells[a.code[pos] * b.count + b.code[pos]];
    for (int64_t cell : cells) total += cell * cell;
    return total;
  }
  std::unordered_map<uint64_t, int64_t> cells;
  for (size_t pos = 0; pos < rows; ++pos) {
    ++cells[(static_cast<uint64_t>(a.code[pos]) << 32) | static_cast<uint32_t>(b.code[pos])];
  }
  for (const auto& [key, cell] : cells) total += cell * cell;
  return total;
}

int64_t SumOfSquaredSizes(const Codes& codes) {
  std::vector<int64_t> sizes(codes.count, 0);
  for (int32_t code : codes.code) ++sizes[code];
  int64_t total = 0;
  for (int64_t size : sizes) total += size * size;
  return total;
}

}  // namespace

Result<double> Silhouette(MatrixView<double> data, std::span<const int32_t> labels,
                          const SilhouetteOptions& options) {
  SEG_RETURN_IF_ERROR(CheckShape(data, labels));
  std::vector<size_t> picked = SampleRows(data.rows, options.sample_size, options.seed);
  SEG_ASSIGN_OR_RETURN(SilhouetteLayout layout, LayOut(data, labels, picked));
  int threads = std::min<int>(ResolveThreads(options.threads),
                              static_cast<int>(std::max<size_t>(1, layout.rows / 256)));
  std::vector<double> sums = ClusterDistanceSums(layout, threads);
  double total = 0.0;
  for (size_t row_idx = 0; row_idx < layout.rows; ++row_idx) {
    total += RowSilhouette(layout, &sums[row_idx * layout.clusters()], layout.cluster[row_idx]);
  }
  return total / static_cast<double>(layout.rows);
}

Result<double> CalinskiHarabasz(MatrixView<double> data, std::span<const int32_t> labels, int k) {
  SEG_ASSIGN_OR_RETURN(ClusterMeans clusters, ComputeClusterMeans(data, labels, k));
  size_t dims = clusters.dims;
  double between = 0.0;
  for (int cluster = 0; cluster < k; ++cluster) {
    double spread =
        SquaredDistance(&clusters.means[cluster * dims], clusters.grand_mean.data(), dims);
    between += static_cast<double>(clusters.counts[cluster]) * spread;
  }
  std::vector<double> within(static_cast<size_t>(k), 0.0);
  for (size_t row_idx = 0; row_idx < data.rows; ++row_idx) {
    int32_t label = labels[row_idx];
    within[label] += SquaredDistance(data.row(row_idx), &clusters.means[label * dims], dims);
  }
  double within_total = std::accumulate(within.begin(), within.end(), 0.0);
  if (within_total == 0.0) return 1.0;
  double present = static_cast<double>(clusters.present);
  return between * (static_cast<double>(data.rows) - present) / (within_total * (present - 1.0));
}

Result<double> DaviesBouldin(MatrixView<double> data, std::span<const int32_t> labels, int k) {
  SEG_ASSIGN_OR_RETURN(ClusterMeans clusters, ComputeClusterMeans(data, labels, k));
  size_t dims = clusters.dims;
  std::vector<double> scatter(static_cast<size_t>(k), 0.0);
  for (size_t row_idx = 0; row_idx < data.rows; ++row_idx) {
    int32_t label = labels[row_idx];
    scatter[label] +=
        std::sqrt(SquaredDistance(data.row(row_idx), &clusters.means[label * dims], dims));
  }
  std::vector<int> present;
  for (int cluster = 0; cluster < k; ++cluster) {
    if (clusters.counts[cluster] == 0) continue;
    present.push_back(cluster);
    scatter[cluster] /= static_cast<double>(clusters.counts[cluster]);
  }
  // scikit-learn's np.allclose(x, 0): every |x| <= 1e-8.
  constexpr double kNearZero = 1e-8;
  bool scatter_zero = std::all_of(present.begin(), present.end(),
                                  [&](int cluster) { return scatter[cluster] <= kNearZero; });
  bool centroids_together = true;
  std::vector<double> gaps(present.size() * present.size(), 0.0);
  for (size_t first = 0; first < present.size(); ++first) {
    for (size_t second = 0; second < present.size(); ++second) {
      double gap = std::sqrt(SquaredDistance(&clusters.means[present[first] * dims],
                                             &clusters.means[present[second] * dims], dims));
      gaps[first * present.size() + second] = gap;
      centroids_together = centroids_together && gap <= kNearZero;
    }
  }
  if (scatter_zero || centroids_together) return 0.0;
  double total = 0.0;
  for (size_t first = 0; first < present.size(); ++first) {
    double worst = 0.0;  // pairs at distance 0 count as 0, as scikit-learn's inf gap
    for (size_t second = 0; second < present.size(); ++second) {
      double gap = gaps[first * present.size() + second];
      if (gap == 0.0) continue;
      worst = std::max(worst, (scatter[present[first]] + scatter[present[second]]) / gap);
    }
    total += worst;
  }
  return total / static_cast<double>(present.size());
}

double AdjustedRandIndex(std::span<const int32_t> a, std::span<const int32_t> b) {
  assert(a.size() == b.size() && "AdjustedRandIndex: labellings of different lengths");
  if (a.size() != b.size()) return std::numeric_limits<double>::quiet_NaN();
  Codes first = Encode(a), second = Encode(b);
  // Ordered pairs of distinct rows (scikit-learn's pair_confusion_matrix): together in
  // both, together in one only, apart in both.
  using Wide = __int128;
  Wide rows = static_cast<Wide>(a.size());
  Wide cells = SumOfSquaredCells(first, second);
  Wide together_both = cells - rows;
  Wide together_b_only = SumOfSquaredSizes(second) - cells;
  Wide together_a_only = SumOfSquaredSizes(first) - cells;
  Wide apart_both = rows * rows - together_b_only - together_a_only - cells;
  if (together_a_only == 0 && together_b_only == 0) return 1.0;
  Wide numerator = 2 * (together_both * apart_both - together_a_only * together_b_only);
  Wide denominator = (together_both + together_a_only) * (together_a_only + apart_both) +
                     (together_both + together_b_only) * (together_b_only + apart_both);
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace segmenta
