// The [[segmentation]] tables of segmenta.toml (method, rules, RFM grid, the cluster and
// value keys) and the [value] settings, each mistake an error naming the file, line and
// key.
#ifndef SEGMENTA_PROJECT_SEGMENTATIONS_H_
#define SEGMENTA_PROJECT_SEGMENTATIONS_H_

#include <filesystem>

#include "project/toml_reader.h"
#include "segmenta/project.h"

namespace segmenta::project_internal {

// Appends every [[segmentation]] of `root` to project.segmentations.
Status ParseSegmentations(const toml::table& root, const std::filesystem::path& file,
                          Project& project);

// Reads [value] into `value` (left at its defaults when absent).
Status ParseValue(const toml::table& root, const std::filesystem::path& file,
                  ValueOptions& value);

}  // namespace segmenta::project_internal

#endif  // SEGMENTA_PROJECT_SEGMENTATIONS_H_
