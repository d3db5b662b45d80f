// PLACEHOLDER (being written this session): the exports routes.
#include "server/routes.h"

namespace segmenta::server {

std::vector<Route> ExportRoutes() { return {}; }

}  // namespace segmenta::server
