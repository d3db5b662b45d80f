// PLACEHOLDER (being written this session): segmenta experiment.
#include "commands.h"

namespace segmenta::cli {

void AddExperimentVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {}

}  // namespace segmenta::cli
