// Shortest-augmenting-path Hungarian method with row and column potentials: rows are
// added one at a time, and each addition grows a Dijkstra-like tree over the columns
// (reduced costs stay non-negative thanks to the potentials) until it reaches a free
// column, then flips the matching along the path.
#include "segment/cluster/hungarian.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace segmenta::cluster {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The cost matrix with rows <= cols, all entries finite and >= 0: finite costs shifted
// by the smallest one, -inf mapped to 0, and +inf / NaN mapped to a "forbidden" cost
// larger than any complete assignment of finite costs can add up to.
Matrix<double> Normalised(const Matrix<double>& cost, bool transpose) {
  double lowest = kInfinity, highest = -kInfinity;
  for (double value : cost.values()) {
    if (!std::isfinite(value)) continue;
    lowest = std::min(lowest, value);
    highest = std::max(highest, value);
  }
  if (lowest == kInfinity) lowest = highest = 0.0;
  size_t pairs = std::min(cost.rows(), cost.cols());
  double forbidden = (highest - lowest) * static_cast<double>(pairs + 1) + 1.0;
  if (!std::isfinite(forbidden))
    forbidden = std::numeric_limits<double>::max() / (4.0 * (pairs + 1));
  size_t rows = transpose ? cost.cols() : cost.rows(), cols = transpose ? cost.rows() : cost.cols();
  Matrix<double> normalised(rows, cols);
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    for (size_t col_idx = 0; col_idx < cols; ++col_idx) {
      double value = transpose ? cost(col_idx, row_idx) : cost(row_idx, col_idx);
      if (std::isnan(value) || value == kInfinity) {
        value = forbidden;
      } else if (value == -kInfinity) {
        value = 0.0;
      } else {
        value -= lowest;
      }
      normalised(row_idx, col_idx) = value;
    }
  }
  return normalised;
}

// Matching state for rows <= cols. Columns are numbered 1..cols and rows 1..rows so
// that column 0 can stand for the row being inserted (the root of the search tree).
struct Solver {
  const Matrix<double>& cost;
  size_t rows, cols;
  std::vector<double> row_potential, col_potential;
  std::vector<size_t> row_of_col;  // 0 = free column
  std::vector<size_t> previous_col;
  std::vector<double> slack;
  std::vector<char> in_tree;

  explicit Solver(const Matrix<double>& matrix)
      : cost(matrix),
        rows(matrix.rows()),
        cols(matrix.cols()),
        row_potential(rows + 1, 0.0),
        col_potential(cols + 1, 0.0),
        row_of_col(cols + 1, 0),
        previous_col(cols + 1, 0),
        slack(cols + 1),
        in_tree(cols + 1) {}

  double Reduced(size_t row, size_t col) const {
    return cost(row - 1, col - 1) - row_potential[row] - col_potential[col];
  }

  // One step of the tree search from column `from`: relaxes the columns outside the
  // tree and returns the one with the least slack (smallest index on ties).
  size_t Relax(size_t from, double& delta) {
    size_t row = row_of_col[from], next = 0;
    delta = kInfinity;
    for (size_t col = 1; col <= cols; ++col) {
      if (in_tree[col]) continue;
      double reduced = Reduced(row, col);
      if (reduced < slack[col]) {
        slack[col] = reduced;
        previous_col[col] = from;
      }
      if (slack[col] < delta) {
        delta = slack[col];
        next = col;
      }
    }
    return next;
  }

  // Moves the potentials by delta so that the newly reached column becomes tight.
  void Shift(double delta) {
    for (size_t col = 0; col <= cols; ++col) {
      if (in_tree[col]) {
        row_potential[row_of_col[col]] += delta;
        col_potential[col] -= delta;
      } else {
        slack[col] -= delta;
      }
    }
  }

  void InsertRow(size_t row) {
    row_of_col[0] = row;
    std::fill(slack.begin(), slack.end(), kInfinity);
    std::fill(in_tree.begin(), in_tree.end(), 0);
    size_t col = 0;
    while (row_of_col[col] != 0) {
      in_tree[col] = 1;
      double delta = 0.0;
      size_t next = Relax(col, delta);
      Shift(delta);
      col = next;
    }
    // `col` is free: flip the matching along the path back to the root.
    while (col != 0) {
      size_t previous = previous_col[col];
      row_of_col[col] = row_of_col[previous];
      col = previous;
    }
  }
};

}  // namespace

std::vector<int> MatchMinimumCost(const Matrix<double>& cost) {
  std::vector<int> match(cost.rows(), -1);
  if (cost.rows() == 0 || cost.cols() == 0) return match;
  bool transpose = cost.rows() > cost.cols();
  Matrix<double> normalised = Normalised(cost, transpose);
  Solver solver(normalised);
  for (size_t row = 1; row <= solver.rows; ++row) solver.InsertRow(row);
  for (size_t col = 1; col <= solver.cols; ++col) {
    size_t row = solver.row_of_col[col];
    if (row == 0) continue;
    if (transpose) {
      match[col - 1] = static_cast<int>(row - 1);
    } else {
      match[row - 1] = static_cast<int>(col - 1);
    }
  }
  return match;
}

}  // namespace segmenta::cluster
