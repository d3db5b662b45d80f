// The Gaussian mixture as the E step evaluates it, and the passes over the rows (E step
// with the next M step's sums, or the sums for hard labels): the inner part of
// mixture.cc, which holds the M step, the EM loop and the public functions.
#ifndef SEGMENTA_SEGMENT_CLUSTER_MIXTURE_MODEL_H_
#define SEGMENTA_SEGMENT_CLUSTER_MIXTURE_MODEL_H_

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "segmenta/mixture.h"

namespace segmenta::mixture_internal {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A mixture as the M step produces it.
struct Parameters {
  Eigen::MatrixXd means;                     // k × d
  Eigen::VectorXd weights;                   // k
  std::vector<Eigen::MatrixXd> covariances;  // full: d × d; diagonal: 1 × d variances
};

// A component as the E step evaluates it: log(w·N(x)) = constant - ½|(x - mean)·factor|²,
// factor being (L⁻¹)ᵀ for covariance L·Lᵀ, or the row of 1/σ when diagonal.
struct Component {
  Eigen::RowVectorXd mean;
  Eigen::MatrixXd factor;
  double constant = 0.0;
};

struct Model {
  Covariance covariance = Covariance::kFull;
  std::vector<Component> components;
};

// Sums over rows, about per-component shifts (the means of the model that scored them).
struct Statistics {
  Eigen::VectorXd mass;                 // k: Σ r
  Eigen::MatrixXd first;                // k × d: Σ r (x - shift)
  std::vector<Eigen::MatrixXd> second;  // full: d × d, diagonal: 1 × d: Σ r (x - shift)²
  double log_likelihood = 0.0;          // Σ log p(x)

  Statistics(size_t k, size_t d, Covariance covariance)
      : mass(Eigen::VectorXd::Zero(k)), first(Eigen::MatrixXd::Zero(k, d)) {
    size_t rows = covariance == Covariance::kFull ? d : 1;
    second.assign(k, Eigen::MatrixXd::Zero(rows, d));
  }
  void Add(const Statistics& other) {
    mass += other.mass;
    first += other.first;
    for (size_t comp = 0; comp < second.size(); ++comp) second[comp] += other.second[comp];
    log_likelihood += other.log_likelihood;
  }
};

// Where a pass writes per-row results; null members are not wanted.
struct RowOutputs {
  Matrix<double>* probabilities = nullptr;  // n × k
  std::vector<int32_t>* labels = nullptr;   // n
  std::vector<double>* log_likelihood = nullptr;
};

Status CheckOptions(const GaussianMixtureOptions& options);
// InvalidArgument naming the first NaN or infinite value of `what`.
Status CheckFinite(MatrixView<double> data, const std::string& what);
Status CheckData(MatrixView<double> data, int k);
// Threads for `rows` rows: `requested` (0 = all cores), fewer for small inputs.
int ThreadsFor(size_t rows, int requested);

// Adds growing multiples of the mean variance to the diagonal until the covariance
// factorises; `covariance` is changed in place so that the model keeps what it used.
Status MakeFactorisable(Eigen::MatrixXd& covariance);
// Variances at or below zero (only without regularisation) become a tiny positive floor.
void MakePositive(Eigen::MatrixXd& variances);

Result<Model> MakeModel(const Parameters& params, Covariance covariance);

// E step under `model`: log-likelihood, optional per-row outputs and, when
// `accumulate`, the M step's sums about the model's means.
Statistics ExpectationPass(MatrixView<double> data, const Model& model, bool accumulate,
                           const RowOutputs& out, int threads);
// The M step's sums for hard responsibilities (row r belongs to labels[r]).
Statistics HardPass(MatrixView<double> data, const std::vector<int32_t>& labels,
                    const Eigen::MatrixXd& shifts, Covariance covariance, int threads);

}  // namespace segmenta::mixture_internal

#endif  // SEGMENTA_SEGMENT_CLUSTER_MIXTURE_MODEL_H_
