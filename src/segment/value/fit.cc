// Maximum-likelihood fits of the value models: L-BFGS (NLopt) over log-parameters
// from several starting points, convergence checks that say what went wrong, and
// standard errors from the observed information.
#include <nlopt.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

#include "segment/format.h"
#include "segment/value/likelihood.h"
#include "segmenta/value.h"

namespace segmenta::value {
namespace {

// Log-parameters stay within these: a parameter at either bound has run off to 0 or ∞.
constexpr double kLogBound = 23.0;  // e^23 ≈ 1e10
// A parameter beyond 1e7 or below 1e-7 has run off: no customer base in days or weeks
// puts one there, while a likelihood with a ridge to infinity lets L-BFGS creep that far
// before its steps stop paying.
const double kRunawayLog = std::log(1e7);
// The mean negative log-likelihood's gradient in log-parameters must fall below this.
constexpr double kGradientTolerance = 1e-4;

struct NloptDeleter {
  void operator()(nlopt_opt opt) const { nlopt_destroy(opt); }
};
using Optimizer = std::unique_ptr<std::remove_pointer_t<nlopt_opt>, NloptDeleter>;

// What NLopt minimises: −LL/N + penalty Σθ² over φ = log θ.
struct Problem {
  const Likelihood* likelihood;
  double penalty;
  int evaluations = 0;
};

double Objective(unsigned n, const double* phi, double* grad, void* data) {
  Problem& problem = *static_cast<Problem*>(data);
  ++problem.evaluations;
  double theta[4], ll_grad[4];
  for (unsigned i = 0; i < n; ++i) theta[i] = std::exp(phi[i]);
  const double ll = problem.likelihood->Evaluate(theta, grad ? ll_grad : nullptr);
  const double customers = problem.likelihood->customers();
  if (!std::isfinite(ll)) {
    if (grad) std::fill(grad, grad + n, 0.0);
    return 1e300;  // out of reach: the line search steps back
  }
  double value = -ll / customers;
  for (unsigned i = 0; i < n; ++i) {
    value += problem.penalty * theta[i] * theta[i];
    if (grad) grad[i] = (-ll_grad[i] / customers + 2 * problem.penalty * theta[i]) * theta[i];
  }
  return value;
}

struct Run {
  std::vector<double> phi;
  double value = 1e300;
};

// One L-BFGS descent from `phi`.
Run Descend(Problem& problem, std::vector<double> phi, int max_evaluations) {
  const unsigned n = static_cast<unsigned>(phi.size());
  Optimizer opt(nlopt_create(NLOPT_LD_LBFGS, n));
  std::vector<double> lower(n, -kLogBound), upper(n, kLogBound);
  nlopt_set_lower_bounds(opt.get(), lower.data());
  nlopt_set_upper_bounds(opt.get(), upper.data());
  nlopt_set_min_objective(opt.get(), Objective, &problem);
  nlopt_set_ftol_rel(opt.get(), 1e-13);
  nlopt_set_xtol_rel(opt.get(), 1e-11);
  nlopt_set_maxeval(opt.get(), max_evaluations);
  for (double& value : phi) value = std::clamp(value, -kLogBound, kLogBound);
  Run run;
  run.phi = phi;
  // Whatever the return code (roundoff-limited is common at the optimum), the caller
  // checks the gradient itself.
  nlopt_optimize(opt.get(), run.phi.data(), &run.value);
  return run;
}

// The largest |∂f/∂φ| at φ.
double GradientSize(Problem& problem, const std::vector<double>& phi) {
  std::vector<double> grad(phi.size());
  Objective(static_cast<unsigned>(phi.size()), phi.data(), grad.data(), &problem);
  double size = 0;
  for (double g : grad) size = std::max(size, std::abs(g));
  return size;
}

// Why a finished run is not an answer, or "" when it is.
std::string NotConverged(ModelKind kind, Problem& problem, const Run& run) {
  const std::vector<std::string> names = ParameterNames(kind);
  if (!(run.value < 1e299)) {
    return "the likelihood is not finite anywhere the optimiser looked";
  }
  for (size_t i = 0; i < run.phi.size(); ++i) {
    if (std::abs(run.phi[i]) > kRunawayLog) {
      return "parameter " + names[i] + " ran off to " + (run.phi[i] > 0 ? "infinity" : "zero") +
             " (" + segment::Significant(std::exp(run.phi[i]), 4) +
             "): the data cannot pin it down — fewer customers than the model needs, or "
             "behaviour the model does not describe; a small penalty (penalty = 0.001) keeps "
             "it finite";
    }
  }
  const double gradient = GradientSize(problem, run.phi);
  if (!(gradient < kGradientTolerance)) {
    return "stopped after " + std::to_string(problem.evaluations) +
           " evaluations with the gradient still at " + segment::Significant(gradient, 4) +
           " (needs < 1e-4): the likelihood is too flat or too rough here";
  }
  return "";
}

std::unique_ptr<Likelihood> MakeLikelihood(ModelKind kind, const PurchaseData* purchases,
                                           const OrderData* orders, int threads) {
  switch (kind) {
    case ModelKind::kBgNbd:
      return MakeBgNbdLikelihood(*purchases, threads);
    case ModelKind::kParetoNbd:
      return MakeParetoNbdLikelihood(*purchases, threads);
    case ModelKind::kGammaGamma:
      return MakeGammaGammaLikelihood(*orders, threads);
  }
  return nullptr;
}

// The likelihoods of the full data and (when it is large) of the sample the starts use.
struct Likelihoods {
  std::unique_ptr<Likelihood> full, starts;
};

Result<Likelihoods> BuildLikelihoods(ModelKind kind, const Summary& summary,
                                     const FitOptions& options) {
  Likelihoods built;
  if (kind == ModelKind::kGammaGamma) {
    OrderData orders = CollectOrders(summary);
    const auto [low, high] = std::minmax_element(orders.m.begin(), orders.m.end());
    if (orders.rows() < 2 || *low == *high) {
      return Status::DataError(
          "Gamma-Gamma needs at least two repeat customers (x > 0) with different mean order "
          "values; this summary has " +
          std::to_string(orders.rows()) + " repeat customers with a value");
    }
    OrderData sample = SampleOrders(orders, options.start_sample);
    if (sample.rows() < orders.rows())
      built.starts = MakeLikelihood(kind, nullptr, &sample, options.threads);
    built.full = MakeLikelihood(kind, nullptr, &orders, options.threads);
    return built;
  }
  double repeats = 0;
  for (double x : summary.x) repeats += x;
  if (summary.size() == 0 || repeats == 0) {
    return Status::DataError(
        std::to_string(summary.size()) +
        " customers and no repeat purchase: " + std::string(ToString(kind)) +
        " learns purchase rates and drop-out from repeat purchases, and there are none");
  }
  PurchaseData purchases = CompressPurchases(summary, options.threads);
  PurchaseData sample = SamplePurchases(purchases, options.start_sample);
  if (sample.rows() < purchases.rows()) {
    built.starts = MakeLikelihood(kind, &sample, nullptr, options.threads);
  }
  built.full = MakeLikelihood(kind, &purchases, nullptr, options.threads);
  return built;
}

std::vector<std::vector<double>> StartingPoints(const Likelihood& likelihood,
                                                const FitOptions& options) {
  std::vector<double> data_start;
  for (double value : likelihood.Start()) data_start.push_back(std::log(value));
  std::vector<std::vector<double>> starts = {data_start,
                                             std::vector<double>(data_start.size(), 0.0)};
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> jitter(0.0, 1.0);
  while (static_cast<int>(starts.size()) < std::max(1, options.starts)) {
    std::vector<double> start = data_start;
    for (double& value : start) value += jitter(rng);
    starts.push_back(start);
  }
  starts.resize(std::max(1, options.starts));
  return starts;
}

// Standard errors: the square roots of the diagonal of the inverse observed information
// (−Hessian of the log-likelihood, by forward differences of the gradient: dim + 1
// gradients, relative error about 1e-5 — plenty for a standard error).
std::vector<double> StandardErrors(const Likelihood& likelihood, const std::vector<double>& theta,
                                   std::string& note) {
  const int n = likelihood.dim();
  Eigen::MatrixXd hessian(n, n);
  std::vector<double> shifted = theta, at(n), up(n);
  likelihood.Evaluate(theta.data(), at.data());
  for (int j = 0; j < n; ++j) {
    const double h = 1e-5 * theta[j];
    shifted[j] = theta[j] + h;
    likelihood.Evaluate(shifted.data(), up.data());
    shifted[j] = theta[j];
    for (int i = 0; i < n; ++i) hessian(i, j) = (up[i] - at[i]) / h;
  }
  const Eigen::MatrixXd information = -0.5 * (hessian + hessian.transpose());
  Eigen::LLT<Eigen::MatrixXd> factor(information);
  std::vector<double> errors(n, std::nan(""));
  if (factor.info() != Eigen::Success || !information.allFinite()) {
    note =
        "the log-likelihood is not curved downwards in every direction at the estimate: "
        "standard errors are not available (a parameter is poorly identified)";
    return errors;
  }
  const Eigen::MatrixXd covariance = factor.solve(Eigen::MatrixXd::Identity(n, n));
  for (int i = 0; i < n; ++i) errors[i] = std::sqrt(covariance(i, i));
  return errors;
}

}  // namespace

std::string_view ToString(ModelKind kind) {
  switch (kind) {
    case ModelKind::kBgNbd:
      return "bgnbd";
    case ModelKind::kParetoNbd:
      return "paretonbd";
    case ModelKind::kGammaGamma:
      return "gammagamma";
  }
  return "?";
}

Result<ModelKind> ParseModelKind(std::string_view name) {
  std::string lower;
  for (char c : name) {
    if (c != '/' && c != '-' && c != '_') lower += static_cast<char>(std::tolower(c));
  }
  if (lower == "bgnbd") return ModelKind::kBgNbd;
  if (lower == "paretonbd") return ModelKind::kParetoNbd;
  if (lower == "gammagamma") return ModelKind::kGammaGamma;
  return Status::InvalidArgument("unknown value model '" + std::string(name) +
                                 "'; the models are bgnbd, paretonbd and gammagamma");
}

std::vector<std::string> ParameterNames(ModelKind kind) {
  switch (kind) {
    case ModelKind::kBgNbd:
      return {"r", "alpha", "a", "b"};
    case ModelKind::kParetoNbd:
      return {"r", "alpha", "s", "beta"};
    case ModelKind::kGammaGamma:
      return {"p", "q", "gamma"};
  }
  return {};
}

Result<FitResult> Fit(ModelKind kind, const Summary& summary, const FitOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SEG_RETURN_IF_ERROR(ValidateSummary(summary));
  if (!(options.penalty >= 0)) return Status::InvalidArgument("penalty must be >= 0");
  SEG_ASSIGN_OR_RETURN(Likelihoods likelihoods, BuildLikelihoods(kind, summary, options));
  const Likelihood& full = *likelihoods.full;
  const Likelihood& explore = likelihoods.starts ? *likelihoods.starts : full;

  FitResult result;
  result.kind = kind;
  result.names = ParameterNames(kind);
  Run best;
  int evaluations = 0;
  for (const std::vector<double>& start : StartingPoints(explore, options)) {
    Problem problem{&explore, options.penalty};
    Run run = Descend(problem, start, options.max_evaluations);
    evaluations += problem.evaluations;
    result.start_log_likelihoods.push_back(-run.value * explore.customers());
    if (run.value < best.value) best = run;
  }
  // Polish on all the data (or once more on the same: L-BFGS restarted with fresh
  // curvature often gains the last digits).
  Problem problem{&full, options.penalty};
  Run polished = Descend(problem, best.phi, options.max_evaluations);
  if (polished.value <= best.value || likelihoods.starts) best = polished;
  std::string failure = NotConverged(kind, problem, best);
  result.evaluations = evaluations + problem.evaluations;
  if (!failure.empty()) {
    return Status::DataError(std::string(ToString(kind)) + " did not converge: " + failure);
  }
  for (double phi : best.phi) result.params.push_back(std::exp(phi));
  result.log_likelihood = full.Evaluate(result.params.data(), nullptr);
  result.customers = static_cast<int64_t>(full.customers());
  result.distinct = full.distinct();
  int reached = 0;
  for (double ll : result.start_log_likelihoods) {
    if (std::abs(ll - result.log_likelihood) <= 1e-6 * std::abs(result.log_likelihood)) ++reached;
  }
  if (options.starts > 1 && reached < 2 && !likelihoods.starts) {
    result.note =
        "only one starting point reached the best likelihood; the surface may have "
        "several optima";
  }
  std::string curvature;
  result.std_errors = StandardErrors(full, result.params, curvature);
  if (!curvature.empty()) result.note = curvature;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Result<double> LogLikelihood(ModelKind kind, const std::vector<double>& params,
                             const Summary& summary) {
  SEG_RETURN_IF_ERROR(ValidateSummary(summary));
  if (params.size() != ParameterNames(kind).size()) {
    return Status::InvalidArgument(std::string(ToString(kind)) + " takes " +
                                   std::to_string(ParameterNames(kind).size()) + " parameters");
  }
  FitOptions options;
  options.start_sample = static_cast<size_t>(-1);
  SEG_ASSIGN_OR_RETURN(Likelihoods likelihoods, BuildLikelihoods(kind, summary, options));
  return likelihoods.full->Evaluate(params.data(), nullptr);
}

}  // namespace segmenta::value
