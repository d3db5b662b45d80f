// Parallel helpers for the demo generator: chunks are produced on worker threads and
// consumed (written) on the calling thread in order, with bounded memory.
//
//   Status status = RunOrdered(chunk_count, /*workers=*/4, /*window=*/12,
//       [&](int64_t chunk_idx, ChunkOutput& out) { GenerateChunk(config, ranges[chunk_idx], out);
//       },
//       [&](int64_t chunk_idx, ChunkOutput& out) { return WriteChunk(out); });
#ifndef SEGMENTA_DEMO_PIPELINE_H_
#define SEGMENTA_DEMO_PIPELINE_H_

#include <cstdint>
#include <functional>

#include "demo/chunk.h"
#include "segmenta/status.h"

namespace segmenta::demo_internal {

using ProduceFn = std::function<void(int64_t chunk_idx, ChunkOutput& out)>;
using ConsumeFn = std::function<Status(int64_t chunk_idx, ChunkOutput& out)>;

// Calls `produce` for every chunk on `workers` threads and `consume` on the calling
// thread in increasing chunk order; at most `window` chunks wait to be consumed. Stops
// at, and returns, the first error from `consume`. `produce` must be thread-safe.
Status RunOrdered(int64_t chunk_count, int workers, int window, const ProduceFn& produce,
                  const ConsumeFn& consume);

// Calls `fn(task_idx)` for every task in [0, task_count) on `workers` threads.
Status ParallelFor(int64_t task_count, int workers, const std::function<void(int64_t)>& fn);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_PIPELINE_H_
