// What the server's handlers share: the project, a pool of workspace sessions, the
// tokens in memory, the customer index, the run jobs. Everything here is thread-safe.
#ifndef SEGMENTA_SERVER_STATE_H_
#define SEGMENTA_SERVER_STATE_H_

#include <httplib.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "segmenta/workspace.h"
#include "server/lookup.h"

namespace segmenta::server {

// Workspace sessions lent one request at a time.
class SessionPool {
 public:
  class Lease {
   public:
    Lease(SessionPool& pool, Workspace* session) : pool_(pool), session_(session) {}
    ~Lease() { pool_.Return(session_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Workspace& operator*() const { return *session_; }
    Workspace* operator->() const { return session_; }

   private:
    SessionPool& pool_;
    Workspace* session_;
  };

  Status Open(Workspace& primary, int count);
  Lease Acquire();

 private:
  void Return(Workspace* session);

  std::vector<std::unique_ptr<Workspace>> sessions_;
  std::vector<Workspace*> free_;
  std::mutex mutex_;
  std::condition_variable returned_;
};

// Token hash → token, reloaded from the workspace whenever the server changes a token.
class TokenTable {
 public:
  Status Reload(Workspace& workspace);
  std::optional<TokenInfo> Find(const std::string& hash) const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, TokenInfo> by_hash_;
};

// A run started over HTTP.
struct RunJob {
  int64_t run_id = 0;
  std::string state = "running";  // running, succeeded, failed
  std::string step = "starting";
  double progress = -1;
  std::string as_of;  // requested; "" = the project's
  std::string started_at, finished_at, error;
  int64_t snapshot_id = 0;
};

class State {
 public:
  State(Project project, Workspace workspace, ServerOptions options)
      : project(std::move(project)), primary(std::move(workspace)), options(std::move(options)) {}
  ~State();

  Status Open();

  // The customer index of the latest snapshot; null when disabled or when there is no
  // snapshot yet.
  std::shared_ptr<const LookupIndex> Lookup() const;
  // Rebuilds it from the latest snapshot (at start and after each run).
  Status RefreshLookup(Workspace& workspace);

  // Called after a customer was erased: lookups must not find them any more.
  void Forgot(const std::string& customer_id);
  bool IsForgotten(const std::string& customer_id) const;

  // Starts a run on its own thread; nullopt when one is going.
  std::optional<RunJob> StartRun(const std::string& as_of);
  std::vector<RunJob> Runs() const;
  std::optional<RunJob> FindRun(int64_t run_id) const;

  const Project project;
  Workspace primary;
  const ServerOptions options;
  SessionPool sessions;
  TokenTable tokens;
  std::mutex write;  // one writer at a time: runs, events, erasure, tokens

 private:
  void Execute(int64_t run_id, std::string as_of);
  void Update(int64_t run_id, const std::function<void(RunJob&)>& change);

  mutable std::mutex lookup_mutex_;
  std::shared_ptr<const LookupIndex> lookup_;
  mutable std::shared_mutex forgotten_mutex_;
  std::unordered_set<std::string> forgotten_;
  mutable std::mutex runs_mutex_;
  std::vector<RunJob> runs_;
  std::thread runner_;
};

}  // namespace segmenta::server

#endif  // SEGMENTA_SERVER_STATE_H_
