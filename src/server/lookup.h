// The in-memory index behind GET /v1/customers/{id}: the latest snapshot's features,
// memberships and what the explanations read, loaded once, so that a lookup is a hash
// probe and some string building (microseconds) instead of ExplainCustomer's dozens of
// queries (~40 ms). Find() gives exactly the view ExplainCustomer gives.
//
//   SEG_ASSIGN_OR_RETURN(std::shared_ptr<const LookupIndex> index,
//                        LookupIndex::Build(project, workspace));
//   std::optional<CustomerView> view = index->Find("C0000042");
//
// What it keeps, per customer, in one fixed-size record: each feature as a code into
// the column's distinct values (shown once, as ExplainCustomer shows them) or, for
// columns whose values hardly repeat, the number itself; for each rule clause a code
// into the clause's distinct (value, holds) outcomes; for each cluster segmentation the
// prepared and original values it is explained from. Beside it: the ids (a hash table)
// and the memberships as (segmentation, segment) codes. About 330 bytes a customer on
// the demo (31 features, 8 segmentations).
//
// Ownership: Build returns a shared, immutable index; keep the shared_ptr while using
// it (the server swaps in a new one after a run). Thread-safety: Find is const and
// safe from any number of threads. Build reads the workspace through its connection,
// in one transaction, like any other Workspace call (not concurrently with another);
// it numbers the customers in a temporary table of its own, dropped when it is done.
#ifndef SEGMENTA_SERVER_LOOKUP_H_
#define SEGMENTA_SERVER_LOOKUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta::server {

struct LookupData;  // what the index holds; defined in lookup_data.h

class LookupIndex {
 public:
  // Loads the latest snapshot. NotFound when there is none; the errors ExplainCustomer
  // would give for every customer (a stored model that no longer matches) fail here.
  static Result<std::shared_ptr<const LookupIndex>> Build(const Project& project,
                                                          Workspace& workspace);

  ~LookupIndex();
  LookupIndex(const LookupIndex&) = delete;
  LookupIndex& operator=(const LookupIndex&) = delete;

  int64_t snapshot_id() const;
  size_t customers() const;
  // Approximate heap bytes held (for logs and capacity planning).
  size_t bytes() const;

  // The view ExplainCustomer gives; nullopt when the id is not in the snapshot.
  std::optional<CustomerView> Find(std::string_view customer_id) const;

 private:
  explicit LookupIndex(std::unique_ptr<const LookupData> data);
  std::unique_ptr<const LookupData> data_;
};

}  // namespace segmenta::server

#endif  // SEGMENTA_SERVER_LOOKUP_H_
