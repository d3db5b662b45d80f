// The activation tables of segmenta.toml: [[webhook]] destinations, [export] and [kpis],
// each mistake an error naming the file, line and key.
#ifndef SEGMENTA_PROJECT_ACTIVATION_H_
#define SEGMENTA_PROJECT_ACTIVATION_H_

#include <filesystem>

#include "project/toml_reader.h"
#include "segmenta/project.h"

namespace segmenta::project_internal {

// Reads [[webhook]], [export] and [kpis] into `project` (defaults when absent).
Status ParseActivation(const toml::table& root, const std::filesystem::path& file,
                       Project& project);

}  // namespace segmenta::project_internal

#endif  // SEGMENTA_PROJECT_ACTIVATION_H_
