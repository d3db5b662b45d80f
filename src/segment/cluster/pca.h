// Principal component analysis for the cluster maps of reports and the dashboard: the
// customers' prepared feature rows projected on their first principal axes.
//
//   SEG_ASSIGN_OR_RETURN(cluster::Pca pca, cluster::FitPca(prepared.numeric.view(), 2));
//   Matrix<double> xy = cluster::Project(pca, prepared.numeric.view());  // n × 2
//
// The covariance is accumulated over row chunks with ParallelFor and summed in chunk
// order (same data and thread count → same result); the d × d eigenproblem is solved
// by Eigen. Pca is a plain value; FitPca and Project are thread-safe.
#ifndef SEGMENTA_SEGMENT_CLUSTER_PCA_H_
#define SEGMENTA_SEGMENT_CLUSTER_PCA_H_

#include <vector>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta::cluster {

struct Pca {
  std::vector<double> mean;  // d column means
  // components × d principal axes, by decreasing variance; each of unit length with
  // its largest-magnitude entry positive (the first such entry on ties), so that the
  // same data always gives the same signs.
  Matrix<double> components;
  // The variance along each axis (eigenvalues of the covariance with divisor n - 1;
  // 0 when n = 1), and its share of the total variance (0 when the total is 0).
  std::vector<double> explained_variance;
  std::vector<double> explained_variance_ratio;
};

// Fits the first `components` principal axes of `data` (n × d). `components` larger
// than d is reduced to d. Errors: no rows or no columns, components < 1, a non-finite
// value (DataError). Constant columns are fine (zero variance); with n = 1 every
// variance is 0 and the axes are the coordinate axes.
Result<Pca> FitPca(MatrixView<double> data, int components = 2, int threads = 0);

// (data − mean) · componentsᵀ: n × components. `data` must have d columns.
Matrix<double> Project(const Pca& pca, MatrixView<double> data);

}  // namespace segmenta::cluster

#endif  // SEGMENTA_SEGMENT_CLUSTER_PCA_H_
