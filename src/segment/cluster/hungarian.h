// Minimum-cost assignment (Kuhn–Munkres with shortest augmenting paths, O(n²·m)).
//
// The clustering engine uses it to keep cluster labels stable across snapshots: the new
// run's centroids (rows) are matched to the previous snapshot's centroids (columns) by
// distance, and each new cluster takes the label of the old one it is matched to.
//
//   Matrix<double> cost(new_k, old_k);   // cost(row, col) = distance(new[row], old[col])
//   std::vector<int> match = cluster::MatchMinimumCost(cost);
//   // match[row] = the old cluster for new cluster `row`, or -1 when new_k > old_k and
//   // `row` is one of the new_k - old_k clusters left without a partner.
//
// Stateless; safe to call from any number of threads.
#ifndef SEGMENTA_SEGMENT_CLUSTER_HUNGARIAN_H_
#define SEGMENTA_SEGMENT_CLUSTER_HUNGARIAN_H_

#include <vector>

#include "segmenta/matrix.h"

namespace segmenta::cluster {

// Assigns every row of a rows × cols cost matrix to a distinct column so that the sum
// of the chosen costs is the smallest possible; min(rows, cols) pairs are made. Returns
// one column index per row, -1 for the rows left unmatched when rows > cols.
//
// Costs are finite or +inf; +inf (and NaN) mean "forbidden": the result uses as few
// forbidden pairs as possible, and among those assignments the one of least finite
// cost (a forbidden pair is still made when no complete assignment avoids it).
// -inf is treated as the most negative finite value. Ties are broken
// deterministically (the same matrix always gives the same answer).
std::vector<int> MatchMinimumCost(const Matrix<double>& cost);

}  // namespace segmenta::cluster

#endif  // SEGMENTA_SEGMENT_CLUSTER_HUNGARIAN_H_
