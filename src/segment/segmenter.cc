#include "segment/segmenter.h"

#include <functional>

#include "segment/cluster_segmenter.h"
#include "segment/rfm.h"
#include "segment/rules_segmenter.h"
#include "segment/value_segmenter.h"

namespace segmenta::segment {
namespace {

// journey: the journey_stage feature, as segments (thresholds in [features]).
class JourneySegmenter : public Segmenter {
 public:
  std::vector<std::string> Segments() const override {
    return {"prospect",    "new",     "active", "repeat",
            "reactivated", "lapsing", "lapsed", "support-pending"};
  }
  Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) override {
    const Dialect& sql = context.sql;
    SEG_RETURN_IF_ERROR(context.conn.Execute(
        "CREATE OR REPLACE TEMP TABLE " + output + " AS SELECT " +
        sql.QuoteIdentifier("customer_id") + ", " + sql.QuoteIdentifier("journey_stage") +
        " AS segment, CAST(NULL AS DOUBLE) AS score FROM " + context.features_table));
    const FeatureOptions& options = context.project->features;
    SegmenterResult result;
    result.model = {{"method", "journey"},
                    {"new_days", options.new_days},
                    {"active_days", options.active_days},
                    {"lapsed_days", options.lapsed_days},
                    {"support_pending_days", options.support_pending_days}};
    return result;
  }
};

Result<std::unique_ptr<Segmenter>> MakeCluster(const SegmentationConfig& config) {
  return std::unique_ptr<Segmenter>(std::make_unique<ClusterSegmenter>(config));
}

using Factory = std::function<Result<std::unique_ptr<Segmenter>>(const SegmentationConfig&)>;

const std::vector<std::pair<std::string, Factory>>& Registry() {
  static const auto* registry = new std::vector<std::pair<std::string, Factory>>{
      {"rfm",
       [](const SegmentationConfig& config) -> Result<std::unique_ptr<Segmenter>> {
         SEG_ASSIGN_OR_RETURN(RfmGrid grid, RfmGrid::Make(config, config.bins));
         return std::unique_ptr<Segmenter>(std::make_unique<RfmSegmenter>(std::move(grid)));
       }},
      {"rules",
       [](const SegmentationConfig& config) -> Result<std::unique_ptr<Segmenter>> {
         return std::unique_ptr<Segmenter>(std::make_unique<RulesSegmenter>(config));
       }},
      {"journey",
       [](const SegmentationConfig&) -> Result<std::unique_ptr<Segmenter>> {
         return std::unique_ptr<Segmenter>(std::make_unique<JourneySegmenter>());
       }},
      {"value",
       [](const SegmentationConfig& config) -> Result<std::unique_ptr<Segmenter>> {
         return std::unique_ptr<Segmenter>(std::make_unique<ValueSegmenter>(config));
       }},
      {"kmeans", MakeCluster},
      {"kprototypes", MakeCluster},
      {"gmm", MakeCluster},
  };
  return *registry;
}

}  // namespace

std::set<std::string> ContactAttributes(const Project& project) {
  std::set<std::string> contact;
  for (const SourceConfig& source : project.sources) {
    for (const Attribute& attribute : source.attributes) {
      if (attribute.role == AttributeRole::kContact) contact.insert(attribute.name);
    }
  }
  return contact;
}

std::vector<std::string> SegmenterMethods() {
  std::vector<std::string> methods;
  for (const auto& [method, factory] : Registry()) methods.push_back(method);
  return methods;
}

Result<std::unique_ptr<Segmenter>> MakeSegmenter(const SegmentationConfig& config,
                                                 const Project& project) {
  for (const auto& [method, factory] : Registry()) {
    if (method != config.method) continue;
    Result<std::unique_ptr<Segmenter>> made = factory(config);
    if (made.ok()) return made;
    return Status::InvalidArgument(project.file.string() + ":" + std::to_string(config.line) +
                                   ": " + made.status().message());
  }
  std::string known;
  for (const std::string& method : SegmenterMethods())
    known += (known.empty() ? "" : ", ") + method;
  return Status::InvalidArgument(project.file.string() + ":" + std::to_string(config.line) +
                                 ": segmentation '" + config.name + "': method '" + config.method +
                                 "' is not built yet; this release runs " + known);
}

}  // namespace segmenta::segment
