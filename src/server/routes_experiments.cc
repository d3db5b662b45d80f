// PLACEHOLDER (being written this session): the experiments routes.
#include "server/routes.h"

namespace segmenta::server {

std::vector<Route> ExperimentRoutes() { return {}; }

}  // namespace segmenta::server
