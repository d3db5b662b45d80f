// One clustering (k-means, k-prototypes or a Gaussian mixture) of prepared customers,
// its quality figures, and the rule that picks k from a search. Used by
// ClusterSegmenter (cluster_segmenter.h).
#ifndef SEGMENTA_SEGMENT_CLUSTER_FIT_H_
#define SEGMENTA_SEGMENT_CLUSTER_FIT_H_

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segmenta/cluster_prepare.h"
#include "segmenta/matrix.h"
#include "segmenta/project.h"
#include "segmenta/status.h"

namespace segmenta::segment {

using json = nlohmann::json;

// One clustering of the prepared data.
struct Clustering {
  int k = 0;
  std::vector<int32_t> labels;
  Matrix<double> centroids;  // k × prepared width
  Matrix<int32_t> modes;     // k-prototypes: k × categories
  double cost = 0;           // inertia, k-prototypes cost, or −log-likelihood
  double gamma = 0;
  double bic = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> probability;  // gmm: each row's probability of its cluster
  json extra = json::object();
};

// Fits config.method with k clusters (InvalidArgument when k exceeds the customers).
Result<Clustering> FitClustering(const SegmentationConfig& config, const PreparedData& data, int k);
// {"k", "inertia" | "neg_log_likelihood", "silhouette", "calinski_harabasz",
//  "davies_bouldin"[, "bic"]}: a figure that cannot be computed is null.
json ClusterFigures(const SegmentationConfig& config, const PreparedData& data,
                    const Clustering& fit);
// The index in `search` (ClusterFigures of each k) of the k to keep; `previous_k` is the
// previous snapshot's k (0 when none). PickRule says the rule in words.
size_t PickK(const SegmentationConfig& config, const json& search, int previous_k);
std::string PickRule(const SegmentationConfig& config);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_CLUSTER_FIT_H_
