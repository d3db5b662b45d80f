// The HTTP server behind `segmenta serve`: the JSON API under /v1 (docs/openapi.yaml)
// and the dashboard's static files.
//
//   SEG_ASSIGN_OR_RETURN(auto server, segmenta::Server::Create(project, std::move(ws), {}));
//   SEG_ASSIGN_OR_RETURN(int port, server->Bind());   // port 0 picks a free one
//   server->Listen();                                  // until Stop(), from any thread
//
// Every route but /v1/health and /v1/version needs a bearer token (see tokens.h).
// Customer lookups are answered from an in-memory index of the latest snapshot, rebuilt
// after every run the server starts; everything else reads the workspace through a
// small pool of connections. Writes (runs, events, erasure, tokens) go one at a time.
#ifndef SEGMENTA_SERVER_H_
#define SEGMENTA_SERVER_H_

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port
  std::filesystem::path web_dir;    // the dashboard's built files; empty: API only
  int threads = 32;                 // request threads (a kept-alive connection holds one)
  int sessions = 4;                 // workspace connections for reads
  size_t max_body_bytes = 1 << 20;  // larger bodies: 413
  int read_timeout_seconds = 5;     // a client slower than this is cut off
  bool lookup_index = true;         // false: answer lookups from the workspace
  // One line per request (method, route pattern, status, time, token id; never a
  // customer id or a secret). Default: stderr.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(Project project, Workspace workspace,
                                                ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket; returns the port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop(); returns once the last request finished.
  Status Listen();
  // Safe from any thread and from a signal-watching thread.
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The API's routes as (method, path) with OpenAPI path templates, e.g.
// ("GET", "/v1/customers/{id}"), and the role each needs ("" = none): what
// docs/openapi.yaml must describe, no more and no less.
struct ApiRoute {
  std::string method;
  std::string path;
  std::string role;
};
std::vector<ApiRoute> ApiRoutes();

}  // namespace segmenta

#endif  // SEGMENTA_SERVER_H_
