// Stable cluster numbers: a run's clusters are matched to the previous snapshot's by
// the distance between centres (Hungarian assignment), so "cluster 3" keeps meaning the
// same group; unmatched clusters get new numbers, never reused.
#ifndef SEGMENTA_SEGMENT_CLUSTER_LABELS_H_
#define SEGMENTA_SEGMENT_CLUSTER_LABELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "segment/cluster_fit.h"
#include "store/database.h"

namespace segmenta::segment {

// A number of a stored model: NaN where the JSON holds null or no number (JSON writes
// NaN and infinities as null), so reading an old or odd model never throws.
double StoredNumber(const json& value);
std::vector<double> StoredNumbers(const json& values);

// "cluster <id>".
std::string SegmentName(int id);
// Categories differ when their codes do, or when either is unknown (−1), as in
// k-prototypes.
bool Mismatch(int32_t a, int32_t b);
// Squared Euclidean distance between two prepared-space rows.
double Distance(const double* a, const double* b, size_t width);

// The previous snapshot's clusters moved into this run's prepared space: their centres
// (original units) and categories prepared with this run's parameters.
struct PreviousClusters {
  int64_t snapshot_id = 0;
  std::vector<int> ids;
  Matrix<double> centroids;
  Matrix<int32_t> modes;
  int next_id = 1;
  std::string unusable;  // why they cannot be matched, or ""
};

// The segmentation's clusters in the latest snapshot, prepared as `data` was (empty ids
// when there is none; `unusable` says why they cannot be matched).
Result<PreviousClusters> LoadPrevious(store::Connection& conn, const SegmentationConfig& config,
                                      const PreparedData& data);
// Numbers for `fit`'s clusters (by cluster index) and the match as JSON: matched
// (with distances), new and vanished clusters. With no previous clusters, 1..k by
// decreasing size.
std::vector<int> StableIds(const Clustering& fit, const PreviousClusters& previous,
                           const std::vector<int64_t>& sizes, json& matching);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_CLUSTER_LABELS_H_
