// What an audience export reads and writes, as SQL: the audience's rows, the columns
// requested (attributes, features, PII hashed or plain) and the consent test. export.cc
// puts them into one query and COPYs it.
#ifndef SEGMENTA_ACTIVATE_EXPORT_PLAN_H_
#define SEGMENTA_ACTIVATE_EXPORT_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "segmenta/exports.h"
#include "segmenta/project.h"
#include "store/database.h"

namespace segmenta::activate {

// The audience as a parenthesised SELECT of customer_id and its own columns, read as `a`.
struct AudienceSql {
  std::string select;
  std::vector<store::Value> params;  // $1, $2 in `select`
  std::vector<std::string> columns;  // segmentation, segment, score | experiment, variant
  std::string name;                  // "rfm/Champions" or "experiment:NAME/VARIANT"
};
// NotFound naming the closest for an unknown segmentation, segment, experiment or
// variant; `snapshot_id` is the latest snapshot (0: none).
Result<AudienceSql> ResolveAudience(store::Connection& conn, const Audience& audience,
                                    int64_t snapshot_id);

// The requested columns over `c` (customers) and `f` (the features table).
struct ColumnPlan {
  std::vector<std::string> select;  // "<expression> AS <quoted name>", in order
  std::vector<std::string> names;   // the names written
  std::vector<std::string> hashed;
  std::vector<std::string> plain_pii;
  std::vector<std::string> unreadable;  // per hashed phone: true when unreadable
  bool reads_features = false;
};
// `features_table` is the latest snapshot's (quoted), "" when there is none.
// InvalidArgument naming the closest for a name that is neither.
Result<ColumnPlan> PlanColumns(const Project& project, store::Connection& conn,
                               const ExportRequest& request, const std::string& features_table);

// Whether a customer (row of `c`) may be exported: true when every consent attribute
// says yes. "true" with include_no_consent; InvalidArgument when no consent attribute
// is declared and include_no_consent is not set.
struct ConsentPlan {
  std::string consents;  // SQL over c: every consent attribute says yes ("true": none)
  bool declared = false;
};
Result<ConsentPlan> PlanConsent(const Project& project, store::Connection& conn,
                                bool include_no_consent);

}  // namespace segmenta::activate

#endif  // SEGMENTA_ACTIVATE_EXPORT_PLAN_H_
