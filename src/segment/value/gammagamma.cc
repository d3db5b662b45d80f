// Gamma–Gamma (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): the
// likelihood of a repeat customer's mean order value m over x orders,
//   log f = log Γ(px+q) − log Γ(px) − log Γ(q) + q log γ + (px−1) log m + px log x
//           − (px+q) log(γ + x m),
// with its analytic gradient, and the conditional expected order value.
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>

#include "core/parallel.h"
#include "segment/value/likelihood.h"
#include "segmenta/value.h"

namespace segmenta::value {
namespace {

using boost::math::digamma;

struct OrderSums {
  double weight = 0, log_m = 0, log_v = 0, inv_v = 0;  // Σw, Σw log m, Σw log(γ+xm), Σw/(γ+xm)
};

class GammaGammaLikelihood : public Likelihood {
 public:
  GammaGammaLikelihood(OrderData data, int threads)
      : data_(std::move(data)), threads_(ThreadsFor(data_.rows(), threads)) {
    for (size_t row = 0; row < data_.rows(); ++row) {
      if (xs_.empty() || data_.x[row] != xs_.back()) {
        xs_.push_back(data_.x[row]);
        x_begin_.push_back(row);
      }
    }
    x_begin_.push_back(data_.rows());
  }

  int dim() const override { return 3; }
  double customers() const override { return data_.customers; }
  int64_t distinct() const override { return static_cast<int64_t>(data_.rows()); }

  std::vector<double> Start() const override {
    double sum = 0, weight = 0;
    for (size_t row = 0; row < data_.rows(); ++row) {
      sum += data_.weight[row] * data_.m[row];
      weight += data_.weight[row];
    }
    // p = 1, q = 2: the population mean p γ / (q − 1) is the observed mean.
    return {1.0, 2.0, weight > 0 ? sum / weight : 1.0};
  }

  double Evaluate(const double* theta, double* grad) const override {
    const double p = theta[0], q = theta[1], v = theta[2];
    const size_t groups = xs_.size();
    std::vector<std::vector<OrderSums>> partial(threads_, std::vector<OrderSums>(groups));
    ParallelFor(data_.rows(), threads_, [&](size_t begin, size_t end, int chunk) {
      size_t group = 0;
      while (group + 1 < groups && x_begin_[group + 1] <= begin) ++group;
      for (size_t row = begin; row < end; ++row) {
        while (x_begin_[group + 1] <= row) ++group;
        const double w = data_.weight[row], spend = v + data_.x[row] * data_.m[row];
        OrderSums& s = partial[chunk][group];
        s.weight += w;
        s.log_m += w * data_.log_m[row];
        s.log_v += w * std::log(spend);
        s.inv_v += w / spend;
      }
    });
    double ll = 0, dp = 0, dq = 0, dv = 0;
    const double lgamma_q = std::lgamma(q), log_v = std::log(v);
    const double psi_q = grad ? digamma(q) : 0;
    for (size_t group = 0; group < groups; ++group) {
      OrderSums s;
      for (int chunk = 0; chunk < threads_; ++chunk) {
        const OrderSums& part = partial[chunk][group];
        s.weight += part.weight, s.log_m += part.log_m, s.log_v += part.log_v,
            s.inv_v += part.inv_v;
      }
      const double x = xs_[group], px = p * x;
      ll += s.weight *
                (std::lgamma(px + q) - std::lgamma(px) - lgamma_q + q * log_v + px * std::log(x)) +
            (px - 1) * s.log_m - (px + q) * s.log_v;
      if (!grad) continue;
      const double psi_pxq = digamma(px + q);
      dp += s.weight * x * (psi_pxq - digamma(px) + std::log(x)) + x * s.log_m - x * s.log_v;
      dq += s.weight * (psi_pxq - psi_q + log_v) - s.log_v;
      dv += s.weight * q / v - (px + q) * s.inv_v;
    }
    if (grad) grad[0] = dp, grad[1] = dq, grad[2] = dv;
    return ll;
  }

 private:
  OrderData data_;
  int threads_;
  std::vector<double> xs_;
  std::vector<size_t> x_begin_;
};

}  // namespace

std::unique_ptr<Likelihood> MakeGammaGammaLikelihood(OrderData data, int threads) {
  return std::make_unique<GammaGammaLikelihood>(std::move(data), threads);
}

Result<OrderValueModel> OrderValueModel::Make(std::vector<double> params) {
  if (params.size() != 3) {
    return Status::InvalidArgument("Gamma-Gamma takes 3 parameters (p, q, gamma), got " +
                                   std::to_string(params.size()));
  }
  for (double param : params) {
    if (!std::isfinite(param) || param <= 0) {
      return Status::InvalidArgument("Gamma-Gamma parameters must be finite and > 0");
    }
  }
  if (params[1] <= 1) {
    return Status::InvalidArgument(
        "Gamma-Gamma q = " + std::to_string(params[1]) +
        " <= 1: the mean order value is infinite (a few huge orders dominate); "
        "cap extreme order values or use more customers");
  }
  return OrderValueModel(std::move(params));
}

// E[Z | x, m] = p (γ + x m) / (p x + q − 1): a weighted mean of the population mean and
// the customer's own.
double OrderValueModel::ExpectedValue(double x, double m) const {
  const double p = params_[0], q = params_[1], v = params_[2];
  if (x <= 0) return PopulationMean();
  return p * (v + x * m) / (p * x + q - 1);
}

double OrderValueModel::PopulationMean() const {
  return params_[0] * params_[2] / (params_[1] - 1);
}

}  // namespace segmenta::value
