// PLACEHOLDER (being written this session): the webhooks routes.
#include "server/routes.h"

namespace segmenta::server {

std::vector<Route> WebhookRoutes() { return {}; }

}  // namespace segmenta::server
