// The [[segmentation]] tables of segmenta.toml: method, rules, RFM grid and the cluster
// keys, each mistake an error naming the file, line and key.
#ifndef SEGMENTA_PROJECT_SEGMENTATIONS_H_
#define SEGMENTA_PROJECT_SEGMENTATIONS_H_

#include <filesystem>

#include "project/toml_reader.h"
#include "segmenta/project.h"

namespace segmenta::project_internal {

// Appends every [[segmentation]] of `root` to project.segmentations.
Status ParseSegmentations(const toml::table& root, const std::filesystem::path& file,
                          Project& project);

}  // namespace segmenta::project_internal

#endif  // SEGMENTA_PROJECT_SEGMENTATIONS_H_
