// Matrix<T>: a dense row-major matrix (rows × cols values in one flat array), and
// MatrixView<T>, a non-owning view of one. The clustering engine takes its data as
// views so that callers keep their own storage:
//
//   segmenta::Matrix<double> points(n, 8);
//   points(0, 3) = 42.0;
//   auto fit = segmenta::RunKMeans(points.view(), options);
//
// Views do not own their values; the storage must outlive them. Both are
// thread-compatible (concurrent reads are safe).
#ifndef SEGMENTA_MATRIX_H_
#define SEGMENTA_MATRIX_H_

#include <cstddef>
#include <span>
#include <vector>

namespace segmenta {

template <typename T>
struct MatrixView {
  const T* data = nullptr;
  size_t rows = 0;
  size_t cols = 0;

  const T* row(size_t index) const { return data + index * cols; }
  T operator()(size_t r, size_t c) const { return data[r * cols + c]; }
  std::span<const T> values() const { return {data, rows * cols}; }
};

template <typename T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(size_t rows, size_t cols, T fill = T{})
      : values_(rows * cols, fill), rows_(rows), cols_(cols) {}

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0; }

  T* row(size_t index) { return values_.data() + index * cols_; }
  const T* row(size_t index) const { return values_.data() + index * cols_; }
  T& operator()(size_t r, size_t c) { return values_[r * cols_ + c]; }
  T operator()(size_t r, size_t c) const { return values_[r * cols_ + c]; }

  std::vector<T>& values() { return values_; }
  const std::vector<T>& values() const { return values_; }
  MatrixView<T> view() const { return {values_.data(), rows_, cols_}; }

 private:
  std::vector<T> values_;
  size_t rows_ = 0;
  size_t cols_ = 0;
};

}  // namespace segmenta

#endif  // SEGMENTA_MATRIX_H_
