// Cluster segmentations (method kmeans, kprototypes or gmm): the features and categories
// a segmentation names are read from the run's feature table (and customer attributes),
// prepared (log1p, scaling, imputation, categories), clustered for k or for each k of
// k_range, and the clusters are named "cluster N" with N kept from the previous
// snapshot's clusters by Hungarian matching of centroids.
//
// The model JSON holds everything explanations and the dashboard read: the preparation,
// the k search figures and the rule that picked k, the centroids (prepared and in
// original units), the matching to the previous snapshot, and a 2-D PCA projection of a
// seeded sample of customers.
#ifndef SEGMENTA_SEGMENT_CLUSTER_SEGMENTER_H_
#define SEGMENTA_SEGMENT_CLUSTER_SEGMENTER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segment/segmenter.h"
#include "segmenta/segments.h"

namespace segmenta::segment {

class ClusterSegmenter : public Segmenter {
 public:
  explicit ClusterSegmenter(SegmentationConfig config) : config_(std::move(config)) {}

  // Before a run: "cluster 1" … "cluster <k or k_max>", so that rules can name them;
  // after: the clusters the run made, by number.
  std::vector<std::string> Segments() const override;
  // Checks that every feature and category exists, is of the right kind and is not
  // personal data.
  Result<std::vector<std::string>> Prepare(SegmentContext& context) override;
  Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) override;

 private:
  SegmentationConfig config_;
  std::vector<std::string> segments_;
};

// The nearest and second-nearest clusters of one customer and the features that
// decided between them, from a stored cluster model and the snapshot's feature table.
Status ExplainCluster(store::Connection& conn, const nlohmann::json& model,
                      const std::string& features_table, const std::string& customer_id,
                      Explanation& explanation);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_CLUSTER_SEGMENTER_H_
