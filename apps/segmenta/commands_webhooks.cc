// PLACEHOLDER (being written this session): segmenta webhooks.
#include "commands.h"

namespace segmenta::cli {

void AddWebhooksVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {}

}  // namespace segmenta::cli
