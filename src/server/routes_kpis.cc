// PLACEHOLDER (being written this session): the kpis routes.
#include "server/routes.h"

namespace segmenta::server {

std::vector<Route> KpiRoutes() { return {}; }

}  // namespace segmenta::server
