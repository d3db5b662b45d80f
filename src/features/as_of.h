// The reference date every per-customer computation uses.
#ifndef SEGMENTA_FEATURES_AS_OF_H_
#define SEGMENTA_FEATURES_AS_OF_H_

#include <string>

#include "engine/dialect.h"
#include "segmenta/feature_options.h"
#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta {

// The as_of date as "YYYY-MM-DD": options.as_of, checked, or the day after the newest
// event (today without events). InvalidArgument for a malformed date.
Result<std::string> ResolveAsOf(store::Connection& conn, const Dialect& sql,
                                const FeatureOptions& options);

}  // namespace segmenta

#endif  // SEGMENTA_FEATURES_AS_OF_H_
