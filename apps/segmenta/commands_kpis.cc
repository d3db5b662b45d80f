// PLACEHOLDER (being written this session): segmenta kpis.
#include "commands.h"

namespace segmenta::cli {

void AddKpisVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {}

}  // namespace segmenta::cli
