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
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "segment/cluster_columns.h"
#include "segment/segmenter.h"
#include "segmenta/cluster_prepare.h"
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

// A stored cluster model ready to explain customers: the preparation the run fitted
// and, per cluster, its segment, prepared centroid, modes and centre in original units.
// ExplainCluster uses it for one customer; the server's lookup index loads and prepares
// every customer once and explains from memory. Const methods are thread-safe.
//
//   SEG_ASSIGN_OR_RETURN(ClusterExplainer explainer, ClusterExplainer::FromModel(model));
//   SEG_ASSIGN_OR_RETURN(Loaded loaded, explainer.Load(conn, features_table));
//   SEG_ASSIGN_OR_RETURN(PreparedData prepared, explainer.preparation().Apply(loaded.columns));
//   SEG_RETURN_IF_ERROR(explainer.Explain(row, explanation));  // row: one customer of them
class ClusterExplainer {
 public:
  // One customer as Explain reads it.
  struct Row {
    std::span<const double> prepared;  // the prepared row: preparation().prepared_width()
    std::span<const double> numbers;   // the model's features in original units (NaN: missing)
    std::span<const std::string_view> categories;  // the model's categories ("" when missing)
  };

  static Result<ClusterExplainer> FromModel(const nlohmann::json& model);

  // The model's features and categories of every customer, or of one (`customer_id`),
  // in id order: from the snapshot's features table (`features_table`, quoted), else
  // from the customers' attributes.
  Result<Loaded> Load(store::Connection& conn, const std::string& features_table,
                      const std::string& customer_id = "") const;

  // "nearest …, then …" and the features that decided between the two. DataError when
  // the stored centroids do not match the preparation.
  Status Explain(const Row& row, Explanation& explanation) const;

  const PreparationModel& preparation() const { return preparation_; }

 private:
  struct Cluster {
    std::string segment;
    std::vector<double> centroid;
    std::vector<std::optional<std::string>> modes;  // by category; nullopt: not a text
    std::vector<double> center;                     // by numeric feature (NaN: none)
  };

  std::string DecidedBy(const Row& row, const Cluster& nearest, const Cluster& second) const;

  PreparationModel preparation_;
  std::vector<std::string> features_, categories_;
  double gamma_ = 0;
  std::vector<Cluster> clusters_;
};

// The nearest and second-nearest clusters of one customer and the features that
// decided between them, from a stored cluster model and the snapshot's feature table.
Status ExplainCluster(store::Connection& conn, const nlohmann::json& model,
                      const std::string& features_table, const std::string& customer_id,
                      Explanation& explanation);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_CLUSTER_SEGMENTER_H_
