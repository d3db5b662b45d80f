// segmenta serve: routes from routes_*.cc behind token checks, static dashboard files,
// one log line per request, JSON for every error.
#include "segmenta/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>
#include <thread>

#include "core/crypto.h"
#include "server/http.h"
#include "server/routes.h"
#include "server/state.h"

namespace segmenta {
namespace {

using server::Caller;
using server::Route;
using server::SendError;

// What the log line of the request on this thread names: the route's template (never
// the raw path, which can hold a customer id), the token, the start time.
thread_local const char* t_route = nullptr;
thread_local std::string t_token;
thread_local std::chrono::steady_clock::time_point t_started;

std::string PatternOf(const std::string& path) {
  return "^" + std::regex_replace(path, std::regex(R"(\{[a-z_]+\})"), "([^/]+)") + "$";
}

std::vector<Route> AllRoutes() {
  std::vector<Route> routes;
  for (auto* group : {server::ReadRoutes, server::WriteRoutes, server::ExportRoutes,
                      server::WebhookRoutes, server::ExperimentRoutes, server::KpiRoutes}) {
    for (const Route& route : group()) routes.push_back(route);
  }
  return routes;
}

// One write per line, so that lines of concurrent requests never interleave.
void LogToStderr(const std::string& line) {
  std::string whole = line + '\n';
  std::fwrite(whole.data(), 1, whole.size(), stderr);
}

const char* ErrorCode(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "timeout";
    case 413:
      return "too_large";
    case 414:
      return "uri_too_long";
    case 416:
      return "bad_range";
    default:
      return status >= 500 ? "internal" : "error";
  }
}

}  // namespace

struct Server::Impl {
  Impl(Project project, Workspace workspace, ServerOptions options)
      : state(std::move(project), std::move(workspace), std::move(options)) {}

  Status Setup();
  void Register(const Route& route);
  // The caller's token, or false after answering 401 / 403.
  bool Authenticate(const httplib::Request& req, httplib::Response& res, Role needed,
                    Caller& caller);
  void Log(const httplib::Request& req, const httplib::Response& res);

  server::State state;
  httplib::Server http;
  // Stop() may come before Listen() got going: then Listen() returns at once, or Stop()
  // waits until httplib is running so that its stop() is not lost.
  std::atomic<bool> listening{false};
  std::atomic<bool> stop_requested{false};
  std::function<void(const std::string&)> log;
};

bool Server::Impl::Authenticate(const httplib::Request& req, httplib::Response& res, Role needed,
                                Caller& caller) {
  auto unauthorized = [&](const std::string& message) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "unauthorized", message);
    return false;
  };
  const std::string& header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) return unauthorized("no token: send Authorization: Bearer <token>");
  if (header.compare(0, kBearer.size(), kBearer) != 0 || header.size() > 200) {
    return unauthorized("the Authorization header must be Bearer <token>");
  }
  std::optional<TokenInfo> token = state.tokens.Find(HashToken(header.substr(kBearer.size())));
  if (!token) return unauthorized("unknown token");
  if (!token->revoked_at.empty()) return unauthorized("the token was revoked");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (token->expires_epoch > 0 && token->expires_epoch <= now) {
    return unauthorized("the token expired at " + token->expires_at + " UTC");
  }
  caller.token = *std::move(token);
  t_token = caller.token.token_id;
  if (caller.token.role < needed) {
    SendError(res, 403, "forbidden",
              "this needs the " + std::string(RoleName(needed)) + " role; the token is " +
                  std::string(RoleName(caller.token.role)));
    return false;
  }
  return true;
}

void Server::Impl::Register(const Route& route) {
  httplib::Server::Handler handler = [this, route](const httplib::Request& req,
                                                   httplib::Response& res) {
    t_route = route.path;
    res.set_header("Cache-Control", "no-store");
    Caller caller;
    if (route.role && !Authenticate(req, res, *route.role, caller)) return;
    route.handler(state, req, res, caller);
  };
  std::string pattern = PatternOf(route.path);
  std::string method = route.method;
  if (method == "GET") http.Get(pattern, handler);
  if (method == "POST") http.Post(pattern, handler);
  if (method == "DELETE") http.Delete(pattern, handler);
}

void Server::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t_started)
                    .count();
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  // Static files are named as asked (they hold no personal data); API paths by route.
  std::string route = t_route                          ? t_route
                      : req.path.rfind("/v1/", 0) == 0 ? "(no route)"
                                                       : req.path.substr(0, 200);
  char line[512];
  std::snprintf(line, sizeof line, "%s %s %s %d %lldus token=%s", stamp, req.method.c_str(),
                route.c_str(), res.status, static_cast<long long>(micros),
                t_token.empty() ? "-" : t_token.c_str());
  log(line);
  t_route = nullptr;
  t_token.clear();
}

Status Server::Impl::Setup() {
  SEG_RETURN_IF_ERROR(state.Open());
  log = state.options.log ? state.options.log : LogToStderr;
  for (const Route& route : AllRoutes()) Register(route);
  if (!state.options.web_dir.empty()) {
    if (!std::filesystem::is_directory(state.options.web_dir / "") ||
        !http.set_mount_point("/", state.options.web_dir.string())) {
      return Status::NotFound("no dashboard files in " + state.options.web_dir.string() +
                              "; build them with `make web`, or pass --web DIR");
    }
  }
  int threads = std::max(2, state.options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(state.options.max_body_bytes);
  http.set_read_timeout(state.options.read_timeout_seconds, 0);
  http.set_write_timeout(state.options.read_timeout_seconds, 0);
  http.set_keep_alive_max_count(100000);
  // Answers go out as a header write and a body write: without TCP_NODELAY the body
  // waits for the client's delayed ACK of the header (40 ms on Linux).
  http.set_tcp_nodelay(true);
  http.set_keep_alive_timeout(state.options.read_timeout_seconds);
  http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_started = std::chrono::steady_clock::now();
    t_route = nullptr;
    t_token.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                   "frame-ancestors 'none'");
  });
  size_t limit = state.options.max_body_bytes;
  httplib::Server::HandlerWithResponse on_error = [limit](const httplib::Request& req,
                                                          httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = "the request was refused (HTTP " + std::to_string(res.status) + ")";
    if (res.status == 404) message = "nothing at " + req.method + " " + req.path.substr(0, 200);
    if (res.status == 413) {
      message = "the body is over the limit of " + std::to_string(limit) + " bytes";
    }
    SendError(res, res.status, ErrorCode(res.status), message);
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(on_error);
  http.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(std::move(error));
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log("error: a handler threw: " + what.substr(0, 300));
        SendError(res, 500, "internal", "the server failed; its log says why");
      });
  http.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
  return Status::Ok();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(Project project, Workspace workspace,
                                               ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(project), std::move(workspace), std::move(options));
  SEG_RETURN_IF_ERROR(impl->Setup());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() {
  const ServerOptions& options = impl_->state.options;
  int port = options.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(options.host);
    if (port <= 0) return Status::IoError("cannot bind to " + options.host);
  } else if (!impl_->http.bind_to_port(options.host, port)) {
    return Status::IoError("cannot bind to " + options.host + ":" + std::to_string(port) +
                           " (in use? pick another with --port)");
  }
  return port;
}

Status Server::Listen() {
  impl_->listening = true;
  if (impl_->stop_requested) return Status::Ok();
  if (!impl_->http.listen_after_bind()) return Status::IoError("the server stopped listening");
  return Status::Ok();
}

void Server::Stop() {
  impl_->stop_requested = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->listening && !impl_->http.is_running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http.stop();
}

std::vector<ApiRoute> ApiRoutes() {
  std::vector<ApiRoute> routes;
  for (const Route& route : AllRoutes()) {
    routes.push_back({route.method, route.path,
                      route.role ? std::string(RoleName(*route.role)) : std::string()});
  }
  return routes;
}

}  // namespace segmenta
