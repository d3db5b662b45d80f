// Cluster-quality metrics: how well a labelling fits its data (silhouette,
// Calinski–Harabasz, Davies–Bouldin) and how well two labellings agree (adjusted Rand
// index). k is chosen by these figures and they are shown to analysts, so each one
// equals scikit-learn's function of the same name (1.2) on the same input.
//
//   segmenta::Matrix<double> points = ...;             // n × d, scaled features
//   std::vector<int32_t> labels = fit->labels;         // one per row, each in 0 .. k-1
//   segmenta::SilhouetteOptions sampled;
//   sampled.sample_size = 10000;                       // 0 would be exact, O(n²·d)
//   segmenta::Result<double> silhouette = segmenta::Silhouette(points.view(), labels, sampled);
//   segmenta::Result<double> ch = segmenta::CalinskiHarabasz(points.view(), labels, k);
//   if (!silhouette.ok()) return silhouette.status();
//
// Rules shared by the three data metrics (scikit-learn's): distances are Euclidean;
// labels are cluster ids, one per row; ids with no rows are ignored, as if the labels
// had been renumbered; the number of clusters present must be at least 2 and at most
// n - 1 (not every point its own cluster); NaN or infinite values are rejected. Each
// of these is an InvalidArgument error, as is a label count that differs from the
// row count.
//
// Ownership: the functions read the caller's data and keep nothing.
// Thread-safety: pure functions; concurrent calls are safe. Silhouette runs on
// options.threads threads of its own; the others run on the calling thread in O(n·d).
#ifndef SEGMENTA_CLUSTER_METRICS_H_
#define SEGMENTA_CLUSTER_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta {

struct SilhouetteOptions {
  // 0: exact, over all rows (O(n²·d) time). Otherwise the silhouette of a sample of
  // this many distinct rows drawn with `seed`, computed on the sample alone (as
  // scikit-learn's sample_size); all rows when sample_size >= n. Only the sampled rows
  // and their labels are read.
  size_t sample_size = 0;
  uint64_t seed = 0;  // the same seed and data give the same sample
  int threads = 0;    // 0: all cores. Results are identical for the same thread count.
};

// Mean over rows of (b - a) / max(a, b), where a is the row's mean distance to the
// other rows of its cluster and b its mean distance to the rows of the nearest other
// cluster; a row alone in its cluster scores 0. In [-1, 1], higher is better.
// Equals sklearn.metrics.silhouette_score when exact.
Result<double> Silhouette(MatrixView<double> data, std::span<const int32_t> labels,
                          const SilhouetteOptions& options = {});

// Between-cluster dispersion over within-cluster dispersion, each divided by its
// degrees of freedom: B·(n - k) / (W·(k - 1)) with k the clusters present; 1 when
// W is 0. Higher is better. Labels must lie in 0 .. k-1.
// Equals sklearn.metrics.calinski_harabasz_score.
Result<double> CalinskiHarabasz(MatrixView<double> data, std::span<const int32_t> labels, int k);

// Mean over clusters of the worst (s_i + s_j) / |c_i - c_j|, where s is a cluster's
// mean distance to its centroid c; 0 when all s or all centroid distances are ~0.
// Lower is better. Labels must lie in 0 .. k-1.
// Equals sklearn.metrics.davies_bouldin_score.
Result<double> DaviesBouldin(MatrixView<double> data, std::span<const int32_t> labels, int k);

// Agreement of two labellings of the same rows, corrected for chance: 1 when they
// partition the rows identically (whatever the ids), about 0 for independent ones.
// Any int32 ids. a and b must be the same length (a programmer error otherwise:
// asserted, and NaN in release builds). Equals sklearn.metrics.adjusted_rand_score.
double AdjustedRandIndex(std::span<const int32_t> a, std::span<const int32_t> b);

}  // namespace segmenta

#endif  // SEGMENTA_CLUSTER_METRICS_H_
