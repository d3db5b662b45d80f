// PLACEHOLDER (being written this session): segmenta export.
#include "commands.h"

namespace segmenta::cli {

void AddExportVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {}

}  // namespace segmenta::cli
