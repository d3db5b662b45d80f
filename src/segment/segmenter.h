// Segmenters: one interface for every way of putting customers into segments (RFM,
// rules, journey stages, later clusters and value tiers), and one registry of them.
//
// A segmenter reads the run's feature table (and, if it needs to, the canonical
// tables) and writes its membership into a table the run names:
// `(customer_id VARCHAR, segment VARCHAR, score DOUBLE)`, one row per customer and
// segment (several rows per customer only for multi-membership rules). It returns its
// model (JSON: thresholds, rules, parameters — what explanations and reports need) and
// quality figures.
//
//   SEG_ASSIGN_OR_RETURN(std::unique_ptr<Segmenter> rfm, MakeSegmenter(config));
//   SEG_ASSIGN_OR_RETURN(SegmenterResult result, rfm->Run(context, "__membership_rfm"));
#ifndef SEGMENTA_SEGMENT_SEGMENTER_H_
#define SEGMENTA_SEGMENT_SEGMENTER_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/dialect.h"
#include "segmenta/project.h"
#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::segment {

// What a segmenter may read.
struct SegmentContext {
  store::Connection& conn;
  const Dialect& sql;
  std::string features_table;  // one row per customer, column customer_id first
  std::string as_of;           // YYYY-MM-DD
  // This run's memberships so far (segmentation, segment, customer_id): a table or a
  // parenthesised query, for rules that reference segments.
  std::string memberships_table;
  std::vector<std::pair<std::string, std::string>> known_segments;  // (segmentation, segment)
  const Project* project = nullptr;
  // The customers' latest event per type before as_of (see BuildEventRecency), or ""
  // when there is none: rules then search the events.
  std::string recency_table;
};

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json members, moved not copied
struct SegmenterResult {
  nlohmann::json model;    // written to `models`
  nlohmann::json quality;  // figures for health checks and reports
};

class Segmenter {
 public:
  virtual ~Segmenter() = default;
  // Every segment it can produce, in display order (known before it runs, so rules can
  // name them).
  virtual std::vector<std::string> Segments() const = 0;
  // Checks the configuration against the features (rules compile here) and returns
  // the other segmentations it reads through in_segment(), so the run orders them.
  virtual Result<std::vector<std::string>> Prepare(SegmentContext& context) {
    return std::vector<std::string>{};
  }
  // Writes `output(customer_id, segment, score)`.
  virtual Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) = 0;
};

// The registry: a segmenter for `config.method`, or InvalidArgument naming the file, line
// and the methods that exist.
Result<std::unique_ptr<Segmenter>> MakeSegmenter(const SegmentationConfig& config,
                                                 const Project& project);
// The names of the project's contact attributes (personal data): never a rule column,
// never clustered on.
std::set<std::string> ContactAttributes(const Project& project);

// Methods the registry knows, for errors and docs.
std::vector<std::string> SegmenterMethods();

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_SEGMENTER_H_
