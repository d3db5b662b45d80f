// Customer value: how many purchases to expect from each customer, whether they are
// still "alive", what their orders are worth, and their lifetime value.
//
// Models (ARCHITECTURE.md, segmenters, `value`):
//   BG/NBD      Fader, Hardie & Lee (2005): purchases at rate λ ~ Gamma(r, α) while
//               alive; after each purchase the customer drops out with p ~ Beta(a, b).
//   Pareto/NBD  Schmittlein, Morrison & Colombo (1987): the same purchases; a lifetime
//               ~ Exponential(μ), μ ~ Gamma(s, β).
//   Gamma–Gamma Fader & Hardie (2013): order values ~ Gamma(p, ν), ν ~ Gamma(q, γ),
//               independent of the purchase process.
//
// Each customer is summarised as (x, t_x, T[, m]) in one time unit (days or weeks):
// x repeat purchase days, t_x the time of the last one after the first purchase, T the
// time from the first purchase to the end of observation, m the mean value of the
// repeat purchases. Maximum likelihood over log-parameters (so they stay positive),
// from several starting points, with log-space likelihoods; customers with the same
// (x, t_x, T) are evaluated once.
//
//   segmenta::value::Summary cdnow = ...;                 // x, t_x, T, monetary
//   SEG_ASSIGN_OR_RETURN(segmenta::value::FitResult fit,
//                        segmenta::value::Fit(segmenta::value::ModelKind::kBgNbd, cdnow));
//   SEG_ASSIGN_OR_RETURN(segmenta::value::PurchaseModel model,
//                        segmenta::value::PurchaseModel::Make(fit.kind, fit.params));
//   double alive = model.ProbabilityAlive(26, 30.86, 31);             // 0.969
//   double next_year = model.ExpectedPurchases(52, 26, 30.86, 31);    // 25.76
//
// A fit that does not converge — a parameter running off to 0 or infinity, a gradient
// that does not vanish, a likelihood that is not finite — is an error saying which and
// why, never a set of numbers. Functions are thread-safe; models are immutable values.
#ifndef SEGMENTA_VALUE_H_
#define SEGMENTA_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/status.h"

namespace segmenta::value {

// Customers, one entry per customer in every vector, in one time unit.
struct Summary {
  std::vector<double> x;         // repeat purchases: purchase days after the first, ≥ 0
  std::vector<double> t_x;       // time of the last purchase after the first; 0 when x = 0
  std::vector<double> T;         // time from the first purchase to the end of observation
  std::vector<double> monetary;  // mean value of the repeat purchases; 0 when x = 0 (may be empty)

  size_t size() const { return x.size(); }
};

// InvalidArgument naming the first bad customer (0-based index) and value: x must be a
// whole number ≥ 0, 0 ≤ t_x ≤ T, t_x = 0 when x = 0, monetary ≥ 0, all finite; the
// vectors of equal length (monetary may be empty).
Status ValidateSummary(const Summary& summary);
// The same checks for one customer; the message names the bad value, not the customer.
Status ValidateCustomer(double x, double t_x, double T,
                        std::optional<double> monetary = std::nullopt);

enum class ModelKind { kBgNbd, kParetoNbd, kGammaGamma };

std::string_view ToString(ModelKind kind);  // "bgnbd", "paretonbd", "gammagamma"
// "bgnbd" / "bg/nbd", "paretonbd" / "pareto/nbd", "gammagamma" (any case), else
// InvalidArgument listing them.
Result<ModelKind> ParseModelKind(std::string_view name);
// Parameter names in order: r, alpha, a, b | r, alpha, s, beta | p, q, gamma.
std::vector<std::string> ParameterNames(ModelKind kind);

struct FitOptions {
  // L2 penalty: the fit maximises mean log-likelihood − penalty × Σ θ² (lifetimes'
  // penalizer_coef). 0 = plain maximum likelihood.
  double penalty = 0;
  int starts = 4;  // starting points: a data-driven one, all-ones, then seeded jitter
  uint64_t seed = 42;
  int max_evaluations = 5000;  // per start
  // With more distinct customers than this, the starts run on an evenly spaced,
  // re-weighted sample of them and only the best is polished on all of them.
  size_t start_sample = 50000;
  int threads = 0;  // 0 = all cores
};

// NOLINTNEXTLINE(bugprone-exception-escape): vectors and strings, moved not copied
struct FitResult {
  ModelKind kind = ModelKind::kBgNbd;
  std::vector<std::string> names;
  std::vector<double> params;
  // Standard errors from the inverse Hessian of the log-likelihood; NaN, with a note,
  // when the Hessian is not negative definite.
  std::vector<double> std_errors;
  double log_likelihood = 0;                  // at params, without the penalty
  int64_t customers = 0;                      // customers used (Gamma–Gamma: those with x > 0)
  int64_t distinct = 0;                       // distinct (x, t_x, T) evaluated
  int evaluations = 0;                        // likelihood evaluations, all starts together
  std::vector<double> start_log_likelihoods;  // where each start ended
  std::string note;                           // a warning worth showing, or ""
  double seconds = 0;
};

// Fits `kind` to the summary. Gamma–Gamma uses the customers with x > 0 and
// monetary > 0. Errors: invalid summary; too few customers (BG/NBD and Pareto/NBD need
// at least one repeat purchase, Gamma–Gamma two repeat customers with different
// values); no convergence, with the reason.
Result<FitResult> Fit(ModelKind kind, const Summary& summary, const FitOptions& options = {});

// The log-likelihood of `params` on the summary (the published figure for CDNOW).
Result<double> LogLikelihood(ModelKind kind, const std::vector<double>& params,
                             const Summary& summary);

// BG/NBD or Pareto/NBD with fixed parameters.
class PurchaseModel {
 public:
  // InvalidArgument unless kind is BG/NBD or Pareto/NBD with 4 finite positive parameters.
  static Result<PurchaseModel> Make(ModelKind kind, std::vector<double> params);

  ModelKind kind() const { return kind_; }
  const std::vector<double>& params() const { return params_; }

  // P(still alive at T | x, t_x, T).
  double ProbabilityAlive(double x, double t_x, double T) const;
  // Expected purchases in (T, T + t] for a customer who is alive at T. Times the
  // probability of being alive, this is ExpectedPurchases.
  double ExpectedIfAlive(double t, double x, double T) const;
  // E[purchases in (T, T + t] | x, t_x, T].
  double ExpectedPurchases(double t, double x, double t_x, double T) const;
  // A new customer's expected repeat purchases in (0, t].
  double ExpectedPurchasesNew(double t) const;
  // P(X(t) = n): a new customer makes exactly n repeat purchases in (0, t].
  double ProbabilityOfPurchases(double t, int n) const;

 private:
  PurchaseModel(ModelKind kind, std::vector<double> params)
      : kind_(kind), params_(std::move(params)) {}
  ModelKind kind_;
  std::vector<double> params_;
};

// Gamma–Gamma with fixed parameters p, q, γ.
class OrderValueModel {
 public:
  // InvalidArgument unless 3 finite positive parameters with q > 1 (for q ≤ 1 the mean
  // order value is infinite).
  static Result<OrderValueModel> Make(std::vector<double> params);
  // E[order value | x repeat purchases with mean m]; the population mean when x = 0.
  double ExpectedValue(double x, double m) const;
  double PopulationMean() const;

 private:
  explicit OrderValueModel(std::vector<double> params) : params_(std::move(params)) {}
  std::vector<double> params_;
};

struct PredictOptions {
  double horizon = 90.0 / 7;                 // expected_purchases over this many time units
  double units_per_month = 365.25 / 12 / 7;  // weeks by default
  int clv_months = 12;                       // CLV over this many months ...
  double annual_discount = 0.10;  // ... each month's value discounted at this yearly rate
  int threads = 0;
};

struct Predictions {
  std::vector<double> p_alive;
  std::vector<double> expected_purchases;  // over options.horizon
  std::vector<double> expected_value;      // per order; empty without an order-value model
  std::vector<double> clv;                 // empty without an order-value model
};

// Per customer of `summary`. CLV = Σ over months i of (expected purchases in month i)
// × expected order value / (1 + annual_discount)^(i / 12). `order_value` may be null.
Result<Predictions> Predict(const PurchaseModel& model, const OrderValueModel* order_value,
                            const Summary& summary, const PredictOptions& options = {});

// Churn risk from P(alive): high below `high_below`, medium below `medium_below`.
enum class ChurnRisk { kLow, kMedium, kHigh };
std::string_view ToString(ChurnRisk risk);  // "low", "medium", "high"
ChurnRisk ClassifyChurnRisk(double p_alive, double high_below = 0.3, double medium_below = 0.7);

// --- Diagnostics -------------------------------------------------------------------

// Holdout purchases by calibration frequency: customers with x = 0, 1, ..., and
// max_bucket or more ("7+"). A bucket of fewer than min_customers takes in the next x
// ("3-4"); a small top joins the bucket below it ("5+").
struct FrequencyBucket {
  std::string label;  // "0", "1", "3-4", "7+"
  int64_t customers = 0;
  double actual = 0;    // mean holdout purchases per customer
  double expected = 0;  // mean expected holdout purchases per customer
};
// `holdout[i]` = customer i's purchases in the holdout, which lasts `holdout_length`.
Result<std::vector<FrequencyBucket>> HoldoutByFrequency(const PurchaseModel& model,
                                                        const Summary& summary,
                                                        const std::vector<double>& holdout,
                                                        double holdout_length, int max_bucket = 7,
                                                        int64_t min_customers = 1);

// Cumulative repeat purchases of the whole base over time against the model.
struct TrackingPoint {
  double t = 0;         // end of the period, from the first day of the data
  double actual = 0;    // cumulative repeat purchases up to t
  double expected = 0;  // Σ over customers of E[X(t − their first purchase)]
};
// `first_purchase[i]` = when customer i first bought (time units from the start of the
// data), `repeats_per_period[k]` = repeat purchases in period k of length `period`.
Result<std::vector<TrackingPoint>> CumulativeTracking(const PurchaseModel& model,
                                                      const std::vector<double>& first_purchase,
                                                      const std::vector<double>& repeats_per_period,
                                                      double period);

// Pearson correlation of x and monetary over customers with x > 0: Gamma–Gamma assumes
// it is near 0. NaN with fewer than two such customers.
double FrequencyValueCorrelation(const Summary& summary);

// --- Simulation from each model's generative process (tests, benchmarks) ----------

// n customers; customer i observed for T[i % T.size()] time units after the first
// purchase. `round_to` > 0 rounds times down to that grid (whole days: 1/7 for weeks),
// as event data would; purchases on the same grid point merge.
Summary SimulateBgNbd(const std::vector<double>& params, size_t n, const std::vector<double>& T,
                      uint64_t seed, double round_to = 0);
Summary SimulateParetoNbd(const std::vector<double>& params, size_t n, const std::vector<double>& T,
                          uint64_t seed, double round_to = 0);
// Fills summary.monetary for the customers with x > 0 from Gamma–Gamma(p, q, γ).
void SimulateGammaGamma(const std::vector<double>& params, Summary& summary, uint64_t seed);

}  // namespace segmenta::value

#endif  // SEGMENTA_VALUE_H_
