// serve, token: the HTTP API and dashboard, and who may use them.
#include <signal.h>

#include <iostream>
#include <thread>

#include "commands.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"

#ifndef SEGMENTA_WEB_DIR
#define SEGMENTA_WEB_DIR ""
#endif

namespace segmenta::cli {

int RunServe(const GlobalFlags& global, const ServeFlags& flags, const Output& out) {
  // SIGTERM and SIGINT are taken by a thread that stops the server cleanly. Blocked
  // before the workspace opens, so that DuckDB's threads inherit the mask too.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);  // how the server wakes the watcher when it stops by itself
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  ServerOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.threads = flags.threads;
  options.web_dir = flags.web;
  options.lookup_index = !flags.no_index;
  if (options.web_dir.empty() && std::filesystem::is_directory(SEGMENTA_WEB_DIR)) {
    options.web_dir = SEGMENTA_WEB_DIR;
  }
  Result<std::unique_ptr<Server>> server =
      Server::Create(*std::move(opened.project), *std::move(opened.workspace), options);
  if (!server.ok()) return Fail(out, server.status());
  Result<int> port = (*server)->Bind();
  if (!port.ok()) return Fail(out, port.status());
  std::string url = "http://" + flags.host + ":" + std::to_string(*port) + "/";
  if (out.json) {
    PrintJson({{"ok", true}, {"url", url}, {"dashboard", !options.web_dir.empty()}});
  } else {
    std::cout << "Serving on " << url << std::endl;
    if (options.web_dir.empty()) std::cout << "(API only: no dashboard files; see --web)\n";
  }
  std::cout.flush();
  std::thread watcher([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    (*server)->Stop();
  });
  Status listened = (*server)->Listen();
  // Wake the watcher if the server stopped for another reason.
  pthread_kill(watcher.native_handle(), SIGUSR1);
  watcher.join();
  if (!listened.ok()) return Fail(out, listened);
  std::cerr << "segmenta serve: stopped\n";
  return 0;
}

int RunToken(const GlobalFlags& global, const TokenFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Workspace& ws = *opened.workspace;
  if (flags.action == "create") {
    Result<Role> role = ParseRole(flags.role);
    if (!role.ok()) return Fail(out, role.status());
    Result<NewToken> made = CreateToken(ws, *role, flags.name, flags.expires_days, "cli");
    if (!made.ok()) return Fail(out, made.status());
    if (out.json) {
      nlohmann::json json = ToJson(made->info);
      json["ok"] = true;
      json["token"] = made->secret;
      PrintJson(json);
    } else {
      std::cout << made->secret << "\n";
      std::cerr << "Token " << made->info.token_id << " (" << RoleName(made->info.role)
                << "). It is shown once: only its hash is stored.\n";
    }
    return 0;
  }
  if (flags.action == "revoke") {
    Result<TokenInfo> revoked = RevokeToken(ws, flags.id, "cli");
    if (!revoked.ok()) return Fail(out, revoked.status());
    if (out.json) {
      PrintJson({{"ok", true}, {"token", ToJson(*revoked)}});
    } else {
      std::cout << "Revoked token " << revoked->token_id << " at " << revoked->revoked_at
                << " UTC\n";
    }
    return 0;
  }
  Result<std::vector<TokenInfo>> tokens = ListTokens(ws);
  if (!tokens.ok()) return Fail(out, tokens.status());
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const TokenInfo& token : *tokens) list.push_back(ToJson(token));
    PrintJson({{"ok", true}, {"tokens", list}});
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const TokenInfo& token : *tokens) {
    rows.push_back({token.token_id, std::string(RoleName(token.role)), token.name, token.created_at,
                    token.expires_at.empty() ? "never" : token.expires_at,
                    token.revoked_at.empty() ? "" : "revoked " + token.revoked_at});
  }
  PrintTable({"id", "role", "name", "created (UTC)", "expires", "state"}, rows);
  return 0;
}

}  // namespace segmenta::cli
