// Gaussian mixtures fitted by expectation–maximisation: soft segment memberships
// (each customer's probability of belonging to each component) and BIC for choosing k.
// Follows scikit-learn's GaussianMixture (1.2): the same initialisation from k-means,
// E and M steps, regularisation, stopping rule and BIC, so that a fit from the same
// starting point gives the same model.
//
//   segmenta::GaussianMixtureOptions options;
//   options.k = 6;
//   options.covariance = segmenta::Covariance::kDiagonal;
//   segmenta::Result<segmenta::GaussianMixtureFit> fit =
//       segmenta::FitGaussianMixture(points.view(), options);   // points: n × d doubles
//   if (!fit.ok()) return fit.status();
//   double bic = fit->bic;                                        // lower is better
//   // New customers are scored exactly as the fitted ones were:
//   segmenta::Result<segmenta::Matrix<double>> p =
//       segmenta::PredictProbabilities(*fit, new_points.view());
//
// Or as an object that keeps its model: GaussianMixture mixture(options);
// mixture.Fit(points.view()); mixture.PredictProbabilities(new_points.view()).
//
// Errors (InvalidArgument): k < 1 or k > n, no columns, NaN or infinite values, bad
// options, initial means or rows of the wrong shape. A singular covariance (a component
// on a line, a constant column) is regularised — `regularization` on its diagonal and,
// if that is not enough, more until it factorises — and never fails the fit.
//
// Ownership: results own their values; inputs are read, not kept.
// Thread-safety: the functions are thread-safe; a fit runs on options.threads threads
// of its own. GaussianMixture is thread-compatible (const methods may run concurrently).
// Results are deterministic for the same data, options and thread count.
#ifndef SEGMENTA_MIXTURE_H_
#define SEGMENTA_MIXTURE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta {

enum class Covariance {
  kDiagonal,  // each component's features independent: d variances per component
  kFull,      // each component a full d × d covariance (correlated features)
};

struct GaussianMixtureOptions {
  int k = 8;  // components, 1 ≤ k ≤ rows
  Covariance covariance = Covariance::kFull;
  int max_iterations = 100;  // EM iterations per restart; 0 keeps the initial model
  // Stop when the mean log-likelihood per row changes by less than this between two
  // iterations (scikit-learn's tol).
  double tolerance = 1e-3;
  double regularization = 1e-6;  // added to every variance (scikit-learn's reg_covar)
  // k-means starts tried, seeded seed, seed + 1, ...; the one whose last E step had the
  // highest mean log-likelihood is kept (scikit-learn's n_init rule).
  int restarts = 1;
  uint64_t seed = 0;  // seeds the k-means initialisation
  // Worker threads; 0 = all cores (fewer for small inputs). Sums are combined per
  // thread chunk, so results are bit-identical for the same thread count.
  int threads = 0;
};

struct GaussianMixtureFit {
  Covariance covariance = Covariance::kFull;
  Matrix<double> means;         // k × d
  std::vector<double> weights;  // k mixing proportions, summing to 1
  // One matrix per component, regularisation included: d × d when full, 1 × d (the
  // variances) when diagonal.
  std::vector<Matrix<double>> covariances;
  Matrix<double> probabilities;      // n × k responsibilities; each row sums to 1
  std::vector<int32_t> labels;       // n: the most probable component (first on ties)
  double log_likelihood = 0.0;       // total over rows, under the final model
  double mean_log_likelihood = 0.0;  // per row (scikit-learn's score(X))
  double bic = 0.0;                  // -2·log_likelihood + parameters·ln(n)
  int parameters = 0;                // free parameters (scikit-learn's count)
  int iterations = 0;                // EM iterations of the chosen restart
  bool converged = false;            // tolerance reached before max_iterations
};

// Fits from a k-means start (RunKMeans with options.seed: its labels as hard
// responsibilities, then an M step), as scikit-learn's init_params='kmeans'.
Result<GaussianMixtureFit> FitGaussianMixture(MatrixView<double> data,
                                              const GaussianMixtureOptions& options);

// Fits from given means (k × d, k = options.k), as scikit-learn's means_init: each row
// is given to its nearest initial mean, one M step on those hard responsibilities sets
// the weights and covariances, and the means start as given. Deterministic in the
// data; options.restarts and options.seed are not used.
Result<GaussianMixtureFit> FitGaussianMixtureFrom(MatrixView<double> data,
                                                  MatrixView<double> initial_means,
                                                  const GaussianMixtureOptions& options);

// New rows scored under a fitted model exactly as its own rows were.
struct MixtureScores {
  Matrix<double> probabilities;        // rows × k responsibilities
  std::vector<int32_t> labels;         // most probable component per row
  std::vector<double> log_likelihood;  // per row: log p(x) under the mixture
};
Result<MixtureScores> ScoreGaussianMixture(const GaussianMixtureFit& fit, MatrixView<double> rows,
                                           int threads = 0);
Result<Matrix<double>> PredictProbabilities(const GaussianMixtureFit& fit, MatrixView<double> rows,
                                            int threads = 0);

// The object form: options in, a fitted model kept for scoring new rows.
class GaussianMixture {
 public:
  explicit GaussianMixture(GaussianMixtureOptions options = {}) : options_(options) {}

  Status Fit(MatrixView<double> data);
  Status FitFrom(MatrixView<double> data, MatrixView<double> initial_means);

  bool fitted() const { return fit_.has_value(); }
  const GaussianMixtureOptions& options() const { return options_; }
  // Precondition: fitted().
  const GaussianMixtureFit& fit() const { return *fit_; }

  // InvalidArgument before a successful Fit.
  Result<MixtureScores> Score(MatrixView<double> rows) const;
  Result<Matrix<double>> PredictProbabilities(MatrixView<double> rows) const;

 private:
  Status Keep(Result<GaussianMixtureFit> fit);

  GaussianMixtureOptions options_;
  std::optional<GaussianMixtureFit> fit_;
};

}  // namespace segmenta

#endif  // SEGMENTA_MIXTURE_H_
