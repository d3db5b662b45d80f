#include "segment/cluster/pca.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include "core/parallel.h"

namespace segmenta::cluster {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRows = Eigen::Map<const RowMajor>;

// Rows are centred and multiplied in blocks of this many, as one matrix product each.
constexpr size_t kBlockRows = 256;

Status CheckFinite(MatrixView<double> data) {
  for (size_t row_idx = 0; row_idx < data.rows; ++row_idx) {
    const double* row = data.row(row_idx);
    for (size_t col_idx = 0; col_idx < data.cols; ++col_idx) {
      if (!std::isfinite(row[col_idx])) {
        return Status::DataError("PCA: non-finite value at row " + std::to_string(row_idx) +
                                 ", column " + std::to_string(col_idx));
      }
    }
  }
  return Status::Ok();
}

Eigen::VectorXd ColumnMeans(MatrixView<double> data, int threads) {
  std::vector<Eigen::VectorXd> partial(threads, Eigen::VectorXd::Zero(data.cols));
  ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
    if (begin >= end) return;
    ConstRows block(data.row(begin), end - begin, data.cols);
    partial[chunk] = block.colwise().sum().transpose();
  });
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(data.cols);
  for (const Eigen::VectorXd& chunk_sum : partial) sum += chunk_sum;
  return sum / static_cast<double>(data.rows);
}

// Σ (x − mean)(x − mean)ᵀ over all rows.
Eigen::MatrixXd Scatter(MatrixView<double> data, const Eigen::VectorXd& mean, int threads) {
  size_t dims = data.cols;
  std::vector<Eigen::MatrixXd> partial(threads, Eigen::MatrixXd::Zero(dims, dims));
  ParallelFor(data.rows, threads, [&](size_t begin, size_t end, int chunk) {
    for (size_t block_begin = begin; block_begin < end; block_begin += kBlockRows) {
      size_t count = std::min(kBlockRows, end - block_begin);
      RowMajor centred = ConstRows(data.row(block_begin), count, dims).rowwise() - mean.transpose();
      partial[chunk].noalias() += centred.transpose() * centred;
    }
  });
  Eigen::MatrixXd scatter = Eigen::MatrixXd::Zero(dims, dims);
  for (const Eigen::MatrixXd& chunk_scatter : partial) scatter += chunk_scatter;
  return scatter;
}

// Unit axis with its largest-magnitude entry (the first on ties) made positive.
void FixSign(double* axis, size_t dims) {
  size_t largest = 0;
  for (size_t col_idx = 1; col_idx < dims; ++col_idx) {
    if (std::abs(axis[col_idx]) > std::abs(axis[largest]) + 1e-12) largest = col_idx;
  }
  if (axis[largest] >= 0) return;
  for (size_t col_idx = 0; col_idx < dims; ++col_idx) axis[col_idx] = -axis[col_idx];
}

}  // namespace

Result<Pca> FitPca(MatrixView<double> data, int components, int threads) {
  if (data.rows == 0 || data.cols == 0) return Status::InvalidArgument("PCA: no data");
  if (components < 1) return Status::InvalidArgument("PCA: components must be at least 1");
  SEG_RETURN_IF_ERROR(CheckFinite(data));
  threads = ResolveThreads(threads);
  size_t dims = data.cols, kept = std::min<size_t>(components, dims);

  Eigen::VectorXd mean = ColumnMeans(data, threads);
  Eigen::MatrixXd covariance = Scatter(data, mean, threads);
  covariance /= data.rows > 1 ? static_cast<double>(data.rows - 1) : 1.0;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  if (solver.info() != Eigen::Success) return Status::Internal("PCA: eigen-decomposition failed");

  Pca pca;
  pca.mean.assign(mean.data(), mean.data() + dims);
  pca.components = Matrix<double>(kept, dims);
  double total = std::max(0.0, covariance.trace());
  // Eigen sorts eigenvalues in increasing order: the largest come last.
  for (size_t axis_idx = 0; axis_idx < kept; ++axis_idx) {
    Eigen::Index source = static_cast<Eigen::Index>(dims - 1 - axis_idx);
    double variance = std::max(0.0, solver.eigenvalues()(source));
    for (size_t col_idx = 0; col_idx < dims; ++col_idx) {
      pca.components(axis_idx, col_idx) = solver.eigenvectors()(col_idx, source);
    }
    FixSign(pca.components.row(axis_idx), dims);
    pca.explained_variance.push_back(variance);
    pca.explained_variance_ratio.push_back(total > 0 ? variance / total : 0.0);
  }
  return pca;
}

Matrix<double> Project(const Pca& pca, MatrixView<double> data) {
  size_t dims = pca.mean.size(), kept = pca.components.rows();
  assert(data.cols == dims);
  Matrix<double> projected(data.rows, kept);
  for (size_t row_idx = 0; row_idx < data.rows; ++row_idx) {
    const double* row = data.row(row_idx);
    for (size_t axis_idx = 0; axis_idx < kept; ++axis_idx) {
      const double* axis = pca.components.row(axis_idx);
      double dot = 0.0;
      for (size_t col_idx = 0; col_idx < dims; ++col_idx) {
        dot += (row[col_idx] - pca.mean[col_idx]) * axis[col_idx];
      }
      projected(row_idx, axis_idx) = dot;
    }
  }
  return projected;
}

}  // namespace segmenta::cluster
