// k-prototypes (Huang 1997, 1998): clustering of customers described by numbers and
// categories at once. Each cluster has a prototype made of a numeric centroid (the
// mean of its members) and a categorical mode (their most frequent code per column);
// the distance of a row to a prototype is
//
//   d(x, c) = Σ_j (x_j − c_j)²  +  γ × #{categorical columns where x differs from c}
//
// and the fit minimises the cost Σ_rows d(row, prototype of its cluster).
//
//   SEG_ASSIGN_OR_RETURN(PreparedData prepared, Prepare(columns, prepare_options));
//   KPrototypesOptions options;
//   options.k = 6;
//   SEG_ASSIGN_OR_RETURN(KPrototypesFit fit,
//                        RunKPrototypes(prepared.numeric.view(), prepared.categories.view(),
//                                       options));
//   // fit.labels[row] in [0, 6); fit.centroids (6 × p) and fit.modes (6 × q) describe
//   // the clusters; AssignPrototypes(new_numeric, new_categories, fit) scores new rows.
//
// Input: numeric is n × p (finite values; p may be 0), categories n × q int32 codes
// (q may be 0; codes ≥ 0 are levels, a negative code is "unknown" and mismatches every
// mode). A side with no columns may also have no rows. Both are views: the caller
// keeps the storage alive during the call; nothing is retained.
//
// Iterations are batch-style: assign every row to its nearest prototype (ties: the
// smallest cluster index), then recompute every mean and mode (ties in a mode: the
// smallest code). A cluster left empty takes the row farthest from its prototype
// among clusters of more than one row (ties: the smallest row index). Rows are
// processed in ParallelFor chunks whose partial sums and counts are combined in chunk
// order: the same data, options and thread count give the same fit, bit for bit.
//
// Thread-safety: the functions are reentrant; a KPrototypes object is immutable and
// may be shared. The only threads used are those of ParallelFor within each call.
#ifndef SEGMENTA_KPROTOTYPES_H_
#define SEGMENTA_KPROTOTYPES_H_

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta {

enum class KPrototypesInit {
  // k-means++ seeding (Arthur & Vassilvitskii 2007) on the mixed distance: the first
  // prototype is a uniformly drawn row, each next one a row drawn with probability
  // proportional to its distance d(x, nearest prototype so far) — d is already a
  // squared-type distance, so this is the D² rule. When every distance is 0 the row is
  // drawn uniformly.
  kPlusPlus,
  // k distinct rows drawn uniformly.
  kRandom,
};

struct KPrototypesOptions {
  int k = 8;  // clusters, 1 ≤ k ≤ n
  // Weight of one categorical mismatch. NaN (the default) = derived from the data by
  // Huang's rule: γ = 0.5 × the mean over numeric columns of their population standard
  // deviation (0.5 on z-scored data); 1 when p = 0 or that mean is 0. Must be ≥ 0;
  // γ = 0 ignores the categories (plain k-means on the numeric part).
  double gamma = std::numeric_limits<double>::quiet_NaN();
  int max_iterations = 100;  // assignment + update rounds per restart, ≥ 1
  // A restart stops when no label changes (converged), or when an iteration lowers the
  // cost by at most tolerance × the previous cost (also reported as converged);
  // 0 = only the first rule. Otherwise it stops after max_iterations.
  double tolerance = 1e-6;
  int restarts = 1;  // independent seedings (seed, seed+1, …); the lowest final cost wins
  uint64_t seed = 42;
  int threads = 0;  // 0 = all cores
  KPrototypesInit init = KPrototypesInit::kPlusPlus;
  // Explicit starting prototypes (k × p and k × q; both given, or both empty). When
  // given they replace the seeding and `restarts` is ignored.
  Matrix<double> initial_centroids;
  Matrix<int32_t> initial_modes;
};

struct KPrototypesFit {
  Matrix<double> centroids;     // k × p: the mean of each cluster's numeric rows
  Matrix<int32_t> modes;        // k × q: the most frequent code (−1: no member known)
  std::vector<int32_t> labels;  // n: the cluster of each row
  std::vector<size_t> sizes;    // k: rows per cluster
  double cost = 0.0;            // Σ d(row, its prototype) for these labels and prototypes
  double gamma = 0.0;           // γ used
  int iterations = 0;           // of the restart kept
  bool converged = false;       // stopped by a rule above rather than max_iterations
  int restart = 0;              // which restart was kept (0-based)
};

// New rows scored against a fit: nearest prototype, its distance, their sum.
struct KPrototypesAssignment {
  std::vector<int32_t> labels;
  std::vector<double> distances;
  double cost = 0.0;
};

// Γ by the rule of KPrototypesOptions::gamma.
double DefaultGamma(MatrixView<double> numeric, int threads = 0);

// The object form; Fit may be called any number of times, from any thread.
class KPrototypes {
 public:
  explicit KPrototypes(KPrototypesOptions options) : options_(std::move(options)) {}
  const KPrototypesOptions& options() const { return options_; }

  // Errors: InvalidArgument for bad options (k < 1, gamma < 0, max_iterations < 1,
  // restarts < 1, initial prototypes of the wrong shape), no columns at all, row
  // counts that differ, k > n, too many category levels (k × Σ levels > 2^28);
  // DataError for a non-finite numeric value.
  Result<KPrototypesFit> Fit(MatrixView<double> numeric, MatrixView<int32_t> categories) const;

 private:
  KPrototypesOptions options_;
};

Result<KPrototypesFit> RunKPrototypes(MatrixView<double> numeric, MatrixView<int32_t> categories,
                                      const KPrototypesOptions& options = {});

// Assigns rows (same p and q as the fit) to the fit's prototypes with the fit's γ.
// Errors: shape mismatch, non-finite values.
Result<KPrototypesAssignment> AssignPrototypes(MatrixView<double> numeric,
                                               MatrixView<int32_t> categories,
                                               const KPrototypesFit& fit, int threads = 0);

}  // namespace segmenta

#endif  // SEGMENTA_KPROTOTYPES_H_
