// The API's routes: each a method, an OpenAPI path template, the role it needs and a
// handler. server.cc turns templates into patterns, checks tokens and logs.
#ifndef SEGMENTA_SERVER_ROUTES_H_
#define SEGMENTA_SERVER_ROUTES_H_

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/tokens.h"
#include "server/state.h"

namespace segmenta::server {

// Who is calling: the token (empty for the public routes).
struct Caller {
  TokenInfo token;
  std::string Actor() const { return "token:" + token.token_id; }
};

using Handler = void (*)(State& state, const httplib::Request& req, httplib::Response& res,
                         const Caller& caller);

struct Route {
  const char* method;
  const char* path;          // OpenAPI template: /v1/customers/{id}
  std::optional<Role> role;  // nullopt: public
  Handler handler;
};

std::vector<Route> ReadRoutes();   // routes_read.cc: aggregates, members, customers
std::vector<Route> WriteRoutes();  // routes_write.cc: runs, events, erasure, tokens
std::vector<Route> ExportRoutes();      // routes_exports.cc: audience files
std::vector<Route> WebhookRoutes();     // routes_webhooks.cc: delivery status, retry
std::vector<Route> ExperimentRoutes();  // routes_experiments.cc: A/B tests
std::vector<Route> KpiRoutes();         // routes_kpis.cc: per-segment KPIs

}  // namespace segmenta::server

#endif  // SEGMENTA_SERVER_ROUTES_H_
