#include "server/state.h"

#include <chrono>
#include <ctime>

#include "segmenta/segments.h"
#include "segmenta/webhooks.h"

namespace segmenta::server {
namespace {

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

}  // namespace

Status SessionPool::Open(Workspace& primary, int count) {
  for (int i = 0; i < count; ++i) {
    SEG_ASSIGN_OR_RETURN(Workspace session, primary.Session());
    sessions_.push_back(std::make_unique<Workspace>(std::move(session)));
    free_.push_back(sessions_.back().get());
  }
  return Status::Ok();
}

SessionPool::Lease SessionPool::Acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !free_.empty(); });
  Workspace* session = free_.back();
  free_.pop_back();
  return Lease(*this, session);
}

void SessionPool::Return(Workspace* session) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(session);
  }
  returned_.notify_one();
}

Status TokenTable::Reload(Workspace& workspace) {
  SEG_ASSIGN_OR_RETURN(std::vector<StoredToken> stored, LoadTokens(workspace));
  std::unordered_map<std::string, TokenInfo> by_hash;
  for (StoredToken& token : stored) by_hash.emplace(std::move(token.hash), std::move(token.info));
  std::unique_lock lock(mutex_);
  by_hash_ = std::move(by_hash);
  return Status::Ok();
}

std::optional<TokenInfo> TokenTable::Find(const std::string& hash) const {
  std::shared_lock lock(mutex_);
  auto found = by_hash_.find(hash);
  if (found == by_hash_.end()) return std::nullopt;
  return found->second;
}

State::~State() {
  if (runner_.joinable()) runner_.join();
}

Status State::Open() {
  SEG_RETURN_IF_ERROR(sessions.Open(primary, std::max(1, options.sessions)));
  SEG_RETURN_IF_ERROR(tokens.Reload(primary));
  return RefreshLookup(primary);
}

std::shared_ptr<const LookupIndex> State::Lookup() const {
  std::lock_guard lock(lookup_mutex_);
  return lookup_;
}

Status State::RefreshLookup(Workspace& workspace) {
  if (!options.lookup_index) return Status::Ok();
  Result<std::shared_ptr<const LookupIndex>> index = LookupIndex::Build(project, workspace);
  // No snapshot yet: lookups answer 404 from the workspace until a run made one.
  if (!index.ok() && index.status().code() == StatusCode::kNotFound) return Status::Ok();
  if (!index.ok()) return index.status().WithContext("building the customer index");
  std::lock_guard lock(lookup_mutex_);
  lookup_ = *std::move(index);
  return Status::Ok();
}

void State::Forgot(const std::string& customer_id) {
  std::unique_lock lock(forgotten_mutex_);
  forgotten_.insert(customer_id);
}

bool State::IsForgotten(const std::string& customer_id) const {
  std::shared_lock lock(forgotten_mutex_);
  return forgotten_.count(customer_id) > 0;
}

std::optional<RunJob> State::StartRun(const std::string& as_of) {
  std::lock_guard lock(runs_mutex_);
  if (!runs_.empty() && runs_.back().state == "running") return std::nullopt;
  if (runner_.joinable()) runner_.join();
  RunJob job;
  job.run_id = static_cast<int64_t>(runs_.size()) + 1;
  job.as_of = as_of;
  job.started_at = UtcNow();
  runs_.push_back(job);
  runner_ = std::thread([this, id = job.run_id, as_of] { Execute(id, as_of); });
  return job;
}

void State::Update(int64_t run_id, const std::function<void(RunJob&)>& change) {
  std::lock_guard lock(runs_mutex_);
  change(runs_[static_cast<size_t>(run_id - 1)]);
}

void State::Execute(int64_t run_id, std::string as_of) {
  Status status = [&]() -> Status {
    std::lock_guard writer(write);
    SEG_ASSIGN_OR_RETURN(Workspace session, primary.Session());
    RunOptions run_options;
    if (!as_of.empty()) run_options.as_of = as_of;
    run_options.progress = [&](const std::string& step, double done) {
      Update(run_id, [&](RunJob& job) {
        job.step = step;
        job.progress = done;
      });
    };
    SEG_ASSIGN_OR_RETURN(RunReport report, RunSegmentations(project, session, run_options));
    Update(run_id, [&](RunJob& job) {
      job.snapshot_id = report.snapshot_id;
      job.step = "customer index";
      job.progress = -1;
    });
    SEG_RETURN_IF_ERROR(RefreshLookup(session));
    // A receiver that is down does not fail the run: GET /v1/webhooks shows what waits.
    Update(run_id, [&](RunJob& job) { job.step = "webhooks"; });
    Result<DeliveryReport> sent = DeliverWebhooks(project, session);
    if (!sent.ok() && options.log) options.log("webhooks: " + sent.status().message());
    return Status::Ok();
  }();
  Update(run_id, [&](RunJob& job) {
    job.finished_at = UtcNow();
    job.state = status.ok() ? "succeeded" : "failed";
    job.step = status.ok() ? "done" : job.step;
    job.progress = status.ok() ? 1 : job.progress;
    job.error = status.ok() ? "" : status.message();
  });
}

std::vector<RunJob> State::Runs() const {
  std::lock_guard lock(runs_mutex_);
  return {runs_.rbegin(), runs_.rend()};
}

std::optional<RunJob> State::FindRun(int64_t run_id) const {
  std::lock_guard lock(runs_mutex_);
  if (run_id < 1 || run_id > static_cast<int64_t>(runs_.size())) return std::nullopt;
  return runs_[static_cast<size_t>(run_id - 1)];
}

}  // namespace segmenta::server
