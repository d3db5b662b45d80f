// PurchaseModel, per-customer predictions (P(alive), expected purchases, CLV) and
// churn-risk tiers.
//
// Both purchase models factor E[purchases in (T, T+t] | x, t_x, T] into P(alive | x,
// t_x, T) × E[purchases | alive at T], and the second factor depends on (x, T) only: it
// (the expensive part, a 2F1 for BG/NBD) is computed once per distinct (x, T).
#include <algorithm>
#include <cmath>
#include <string>

#include "core/parallel.h"
#include "segment/value/likelihood.h"
#include "segment/value/purchase_formulas.h"
#include "segmenta/value.h"

namespace segmenta::value {

Result<PurchaseModel> PurchaseModel::Make(ModelKind kind, std::vector<double> params) {
  if (kind == ModelKind::kGammaGamma) {
    return Status::InvalidArgument("Gamma-Gamma models order values, not purchases");
  }
  if (params.size() != 4) {
    return Status::InvalidArgument(std::string(ToString(kind)) + " takes 4 parameters, got " +
                                   std::to_string(params.size()));
  }
  for (double param : params) {
    if (!std::isfinite(param) || param <= 0) {
      return Status::InvalidArgument(std::string(ToString(kind)) +
                                     " parameters must be finite and > 0");
    }
  }
  return PurchaseModel(kind, std::move(params));
}

double PurchaseModel::ProbabilityAlive(double x, double t_x, double T) const {
  return kind_ == ModelKind::kBgNbd ? bgnbd::ProbabilityAlive(params_.data(), x, t_x, T)
                                    : paretonbd::ProbabilityAlive(params_.data(), x, t_x, T);
}

double PurchaseModel::ExpectedIfAlive(double t, double x, double T) const {
  return kind_ == ModelKind::kBgNbd ? bgnbd::ExpectedIfAlive(params_.data(), t, x, T)
                                    : paretonbd::ExpectedIfAlive(params_.data(), t, x, T);
}

double PurchaseModel::ExpectedPurchases(double t, double x, double t_x, double T) const {
  return ProbabilityAlive(x, t_x, T) * ExpectedIfAlive(t, x, T);
}

double PurchaseModel::ExpectedPurchasesNew(double t) const { return ExpectedIfAlive(t, 0, 0); }

double PurchaseModel::ProbabilityOfPurchases(double t, int n) const {
  if (n < 0) return 0;
  if (t <= 0) return n == 0 ? 1 : 0;
  return kind_ == ModelKind::kBgNbd ? bgnbd::ProbabilityOfPurchases(params_.data(), t, n)
                                    : paretonbd::ProbabilityOfPurchases(params_.data(), t, n);
}

namespace {

// Per distinct (x, T): purchases over the horizon and discounted purchases per month
// over the CLV months, both for a customer alive at T.
struct IfAlive {
  double horizon = 0;
  double discounted = 0;
};

IfAlive ComputeIfAlive(const PurchaseModel& model, double x, double T,
                       const PredictOptions& options) {
  IfAlive result;
  result.horizon = model.ExpectedIfAlive(options.horizon, x, T);
  double previous = 0;
  for (int month = 1; month <= options.clv_months; ++month) {
    const double cumulative = model.ExpectedIfAlive(month * options.units_per_month, x, T);
    result.discounted +=
        (cumulative - previous) / std::pow(1 + options.annual_discount, month / 12.0);
    previous = cumulative;
  }
  return result;
}

}  // namespace

Result<Predictions> Predict(const PurchaseModel& model, const OrderValueModel* order_value,
                            const Summary& summary, const PredictOptions& options) {
  SEG_RETURN_IF_ERROR(ValidateSummary(summary));
  if (!(options.horizon >= 0) || !(options.units_per_month > 0) || options.clv_months < 0 ||
      !(options.annual_discount > -1)) {
    return Status::InvalidArgument(
        "predict needs horizon >= 0, units_per_month > 0, clv_months >= 0 and a discount rate "
        "above -1");
  }
  if (order_value && summary.monetary.empty()) {
    return Status::InvalidArgument("CLV needs each customer's mean order value (monetary)");
  }
  const size_t n = summary.size();
  struct Key {
    double x, T;
    size_t customer;
  };
  std::vector<Key> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = {summary.x[i], summary.T[i], i};
  std::sort(keys.begin(), keys.end(),
            [](const Key& a, const Key& b) { return a.x < b.x || (a.x == b.x && a.T < b.T); });
  std::vector<size_t> firsts;  // positions in keys where a new (x, T) starts
  for (size_t k = 0; k < n; ++k) {
    if (k == 0 || keys[k].x != keys[k - 1].x || keys[k].T != keys[k - 1].T) firsts.push_back(k);
  }
  const int threads = ThreadsFor(n, options.threads);
  std::vector<IfAlive> if_alive(firsts.size());
  ParallelFor(firsts.size(), threads, [&](size_t begin, size_t end, int) {
    for (size_t j = begin; j < end; ++j) {
      if_alive[j] = ComputeIfAlive(model, keys[firsts[j]].x, keys[firsts[j]].T, options);
    }
  });
  Predictions out;
  out.p_alive.resize(n);
  out.expected_purchases.resize(n);
  if (order_value) out.expected_value.resize(n), out.clv.resize(n);
  ParallelFor(firsts.size(), threads, [&](size_t begin, size_t end, int) {
    for (size_t j = begin; j < end; ++j) {
      const size_t last = j + 1 < firsts.size() ? firsts[j + 1] : n;
      for (size_t k = firsts[j]; k < last; ++k) {
        const size_t i = keys[k].customer;
        const double alive = model.ProbabilityAlive(summary.x[i], summary.t_x[i], summary.T[i]);
        out.p_alive[i] = alive;
        out.expected_purchases[i] = alive * if_alive[j].horizon;
        if (!order_value) continue;
        out.expected_value[i] = order_value->ExpectedValue(summary.x[i], summary.monetary[i]);
        out.clv[i] = alive * if_alive[j].discounted * out.expected_value[i];
      }
    }
  });
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(out.p_alive[i]) || !std::isfinite(out.expected_purchases[i])) {
      return Status::DataError(
          "customer " + std::to_string(i) + " (x = " + std::to_string(summary.x[i]) +
          ", T = " + std::to_string(summary.T[i]) +
          "): the prediction is not finite; a horizon far beyond the data's makes the series "
          "behind it converge too slowly");
    }
  }
  return out;
}

std::string_view ToString(ChurnRisk risk) {
  switch (risk) {
    case ChurnRisk::kLow:
      return "low";
    case ChurnRisk::kMedium:
      return "medium";
    case ChurnRisk::kHigh:
      return "high";
  }
  return "?";
}

ChurnRisk ClassifyChurnRisk(double p_alive, double high_below, double medium_below) {
  if (p_alive < high_below) return ChurnRisk::kHigh;
  if (p_alive < medium_below) return ChurnRisk::kMedium;
  return ChurnRisk::kLow;
}

}  // namespace segmenta::value
