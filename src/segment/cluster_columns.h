// The columns a cluster segmentation reads: its features and categories, found in the
// run's feature table or the customers' attributes (never contact attributes), read for
// every customer (or one) into flat columns.
#ifndef SEGMENTA_SEGMENT_CLUSTER_COLUMNS_H_
#define SEGMENTA_SEGMENT_CLUSTER_COLUMNS_H_

#include <string>
#include <vector>

#include "segment/segmenter.h"
#include "segmenta/cluster_prepare.h"

namespace segmenta::segment {

// A column a cluster segmentation reads: from the features (f) or the customers (c).
struct ColumnRef {
  std::string name;
  std::string sql;
  bool from_customers = false;
};

struct ColumnRefs {
  std::vector<ColumnRef> numeric;
  std::vector<ColumnRef> categorical;
  bool reads_customers = false;
};

// Where each configured name is read from. InvalidArgument for an unknown name (with the
// closest one), a contact attribute, a text column among the features, a name listed
// twice.
Result<ColumnRefs> ResolveColumns(SegmentContext& context, const SegmentationConfig& config);

struct Loaded {
  std::vector<std::string> ids;
  FeatureColumns columns;
};

// The columns of every customer (or of one, with `customer_id`), in customer id order.
Result<Loaded> LoadColumns(SegmentContext& context, const ColumnRefs& refs,
                           const std::string& customer_id = "");

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_CLUSTER_COLUMNS_H_
