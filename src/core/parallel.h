// ParallelFor: the one way the engines (clusters, value models) use several cores.
//
// [0, n) is cut into `chunks` contiguous ranges that depend only on n and the thread
// count, so per-chunk partial results combined in chunk order give the same answer for
// the same seed and thread count on every run.
//
//   int threads = ResolveThreads(options.threads);
//   std::vector<double> partial(threads);
//   ParallelFor(n, threads, [&](size_t begin, size_t end, int chunk) {
//     for (size_t row = begin; row < end; ++row) partial[chunk] += Cost(row);
//   });
#ifndef SEGMENTA_CORE_PARALLEL_H_
#define SEGMENTA_CORE_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace segmenta {

// `requested` threads, or the machine's cores when it is 0 or less.
inline int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// [begin, end) of chunk `chunk` when [0, n) is cut for `threads` threads: ⌈n / threads⌉
// rows each, the last chunks shorter or empty.
inline std::pair<size_t, size_t> ChunkBounds(size_t n, int threads, int chunk) {
  const size_t step = (n + std::max(1, threads) - 1) / std::max(1, threads);
  const size_t begin = std::min(n, static_cast<size_t>(chunk) * step);
  return {begin, std::min(n, begin + step)};
}

// Calls fn(begin, end, chunk) for chunk = 0 .. threads-1 over the ranges of ChunkBounds;
// chunk 0 runs on the calling thread. Returns when all have finished.
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn&& fn) {
  threads = std::max(1, threads);
  std::vector<std::thread> workers;
  for (int chunk = 1; chunk < threads; ++chunk) {
    const std::pair<size_t, size_t> range = ChunkBounds(n, threads, chunk);
    workers.emplace_back([&fn, range, chunk] { fn(range.first, range.second, chunk); });
  }
  const auto [begin, end] = ChunkBounds(n, threads, 0);
  fn(begin, end, 0);
  for (std::thread& worker : workers) worker.join();
}

}  // namespace segmenta

#endif  // SEGMENTA_CORE_PARALLEL_H_
