// The value models inside `segmenta run`: the value feature columns and what is stored
// with the snapshot. The public face is include/segmenta/customer_value.h.
#ifndef SEGMENTA_SEGMENT_VALUE_RUN_H_
#define SEGMENTA_SEGMENT_VALUE_RUN_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/dialect.h"
#include "segmenta/features.h"
#include "segmenta/project.h"
#include "store/database.h"

namespace segmenta::segment {

// Whether the project asks for the value models: [value], a value segmentation, or a
// segmentation that reads a value feature.
bool ValueModelsNeeded(const Project& project);

// Fits the models on the purchases before `as_of`, adds the value features to
// `features_table` (NULL for customers without a purchase) and returns what the
// snapshot stores: {"model": ..., "diagnostics": ...}. A model that does not converge is
// an error; diagnostics that cannot be computed (too short a history) are recorded as
// {"error": ...}.
Result<nlohmann::json> AddValueFeatures(store::Connection& conn, const Dialect& sql,
                                        const Project& project, const std::string& as_of,
                                        const std::string& features_table);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_VALUE_RUN_H_
