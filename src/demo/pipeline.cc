#include "demo/pipeline.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace segmenta::demo_internal {
namespace {

// Starts `workers` threads running `body`; false if the system refused a thread (the
// ones started are joined when `threads` is destroyed).
bool StartThreads(int workers, const std::function<void()>& body,
                  std::vector<std::jthread>& threads) {
  try {
    for (int worker_idx = 0; worker_idx < workers; ++worker_idx) threads.emplace_back(body);
  } catch (const std::system_error&) {
    return false;
  }
  return true;
}

class OrderedRun {
 public:
  OrderedRun(int64_t chunk_count, int window, const ProduceFn& produce, const ConsumeFn& consume)
      : chunk_count_(chunk_count), window_(window), produce_(produce), consume_(consume) {}

  void Work();
  Status ConsumeAll();
  void Stop();

 private:
  bool CanClaim() const {
    return stop_ || next_claim_ >= chunk_count_ || next_claim_ < consumed_ + window_;
  }

  const int64_t chunk_count_;
  const int window_;
  const ProduceFn& produce_;
  const ConsumeFn& consume_;

  std::mutex mu_;
  std::condition_variable chunk_ready_;     // a chunk landed in ready_
  std::condition_variable chunk_consumed_;  // a chunk was consumed, or stop_ was set
  int64_t next_claim_ = 0;
  int64_t consumed_ = 0;
  bool stop_ = false;
  std::map<int64_t, ChunkOutput> ready_;
};

void OrderedRun::Work() {
  while (true) {
    int64_t chunk_idx = 0;
    {
      std::unique_lock lock(mu_);
      chunk_consumed_.wait(lock, [this] { return CanClaim(); });
      if (stop_ || next_claim_ >= chunk_count_) return;
      chunk_idx = next_claim_++;
    }
    ChunkOutput out;
    produce_(chunk_idx, out);
    {
      std::lock_guard lock(mu_);
      ready_.emplace(chunk_idx, std::move(out));
    }
    chunk_ready_.notify_all();
  }
}

Status OrderedRun::ConsumeAll() {
  for (int64_t chunk_idx = 0; chunk_idx < chunk_count_; ++chunk_idx) {
    ChunkOutput out;
    {
      std::unique_lock lock(mu_);
      chunk_ready_.wait(lock, [&] { return ready_.contains(chunk_idx); });
      auto node = ready_.extract(chunk_idx);
      out = std::move(node.mapped());
    }
    Status status = consume_(chunk_idx, out);
    {
      std::lock_guard lock(mu_);
      ++consumed_;
      stop_ = stop_ || !status.ok();
    }
    chunk_consumed_.notify_all();
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

void OrderedRun::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  chunk_consumed_.notify_all();
}

}  // namespace

Status RunOrdered(int64_t chunk_count, int workers, int window, const ProduceFn& produce,
                  const ConsumeFn& consume) {
  OrderedRun run(chunk_count, window, produce, consume);
  std::vector<std::jthread> threads;
  if (!StartThreads(
          workers, [&run] { run.Work(); }, threads)) {
    run.Stop();
    return Status::Internal("cannot start generator threads");
  }
  Status status = run.ConsumeAll();
  run.Stop();
  return status;  // threads join here
}

Status ParallelFor(int64_t task_count, int workers, const std::function<void(int64_t)>& fn) {
  std::atomic<int64_t> next_task{0};
  const auto body = [&] {
    for (int64_t task_idx = next_task++; task_idx < task_count; task_idx = next_task++) {
      fn(task_idx);
    }
  };
  std::vector<std::jthread> threads;
  if (!StartThreads(workers, body, threads)) {
    next_task = task_count;  // let started threads finish early
    return Status::Internal("cannot start generator threads");
  }
  return Status::Ok();  // threads join here
}

}  // namespace segmenta::demo_internal
