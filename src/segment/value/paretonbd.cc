// Pareto/NBD (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
// "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005):
//   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s I ],
//   I = ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy = (F(t_x) − F(T)) / (r+s+x),
// where F(y) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+y)) / (α+y)^(r+s+x) when α ≥ β (and the
// mirror image when α < β). After Euler's transformation the 2F1 is 2F1(1, ·; ·; z), a
// series of positive terms each at most z times the previous (RatioSeries; for z near 1
// a quadrature in a variable that keeps the integrand smooth), and
// log(F(t_x) − F(T)) is taken in log space, so nothing cancels or overflows.
//
// The gradient is by central differences of the log-likelihood (the 2F1's derivatives
// in its parameters have no closed form worth the cost).
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "segment/value/likelihood.h"
#include "segment/value/purchase_formulas.h"
#include "segment/value/special.h"

namespace segmenta::value {
namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

// Above this z the series needs hundreds of terms (each at most z times the previous);
// the integral is then taken by quadrature instead.
constexpr double kSeriesLimit = 0.9;

// z at y: the argument of the 2F1 in F(y).
double SeriesArgument(const double* theta, double y) {
  const double alpha = theta[1], beta = theta[3];
  return alpha >= beta ? (alpha - beta) / (alpha + y) : (beta - alpha) / (beta + y);
}

// log F(y): the antiderivative of the integrand of I, up to the factor −1/(r+s+x).
double LogF(const double* theta, double x, double y) {
  const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
  const double z = SeriesArgument(theta, y);
  if (alpha >= beta) {
    return -(r + x) * std::log(alpha + y) - s * std::log(beta + y) +
           std::log(RatioSeries(r + x, r + s + x + 1, z));
  }
  return (1 - r - x) * std::log(alpha + y) - (s + 1) * std::log(beta + y) +
         std::log(RatioSeries(s + 1, r + s + x + 1, z));
}

// log I by quadrature, for z near 1. With v = (β+y)/(α+y) (α > β; mirrored for α < β),
//   I = (α−β)^-m ∫ v^-(k+1) (1−v)^(m−1) dv,  m = r+s+x, k = s (mirrored: k = r+x−1),
// and with w = log v the integrand e^(−k w) (1 − e^w)^(m−1) is smooth; it is scaled by
// its value at the lower end so nothing overflows.
double LogIntegralByQuadrature(const double* theta, double x, double t_x, double T) {
  const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
  const double m = r + s + x;
  const bool alpha_larger = alpha >= beta;
  const double k = alpha_larger ? s : r + x - 1;
  const double low = alpha_larger ? beta : alpha, high = alpha_larger ? alpha : beta;
  const double w1 = std::log((low + t_x) / (high + t_x)), w2 = std::log((low + T) / (high + T));
  auto h = [&](double w) { return -k * w + (m - 1) * std::log1p(-std::exp(w)); };
  const double h1 = h(w1);
  auto g = [&](double w) { return std::exp(h(w) - h1); };
  const double integral =
      boost::math::quadrature::gauss_kronrod<double, 31>::integrate(g, w1, w2, 8, 1e-10);
  return std::log(integral) + h1 - m * std::log(high - low);
}

// log F(T) of the last (x, T) asked for: rows sorted by (x, T) share it.
struct LogFAtT {
  double x = -1, T = -1, value = 0;
  double Get(const double* theta, double x_now, double T_now) {
    if (x_now != x || T_now != T) x = x_now, T = T_now, value = LogF(theta, x_now, T_now);
    return value;
  }
};

// log I = log[(F(t_x) − F(T)) / (r+s+x)], −∞ when t_x = T.
double LogIntegral(const double* theta, double x, double t_x, double T, LogFAtT& at_T) {
  const double r = theta[0], s = theta[2];
  if (!(t_x < T)) return kMinusInfinity;  // no time to die in
  if (SeriesArgument(theta, t_x) > kSeriesLimit) {
    return LogIntegralByQuadrature(theta, x, t_x, T);
  }
  const double log_f_tx = LogF(theta, x, t_x), log_f_T = at_T.Get(theta, x, T);
  if (!(log_f_T < log_f_tx)) return kMinusInfinity;
  return log_f_tx + std::log1p(-std::exp(log_f_T - log_f_tx)) - std::log(r + s + x);
}

class ParetoNbdLikelihood : public Likelihood {
 public:
  ParetoNbdLikelihood(PurchaseData data, int threads)
      : data_(std::move(data)), threads_(ThreadsFor(data_.rows(), threads)) {}

  int dim() const override { return 4; }
  double customers() const override { return data_.customers; }
  int64_t distinct() const override { return static_cast<int64_t>(data_.rows()); }

  std::vector<double> Start() const override {
    // β: the mean observation time (a lifetime of the order of the data's span).
    double T_sum = 0;
    for (size_t row = 0; row < data_.rows(); ++row) {
      T_sum += data_.weight[row] * data_.times[data_.T[row]];
    }
    return {1.0, StartingAlpha(data_), 1.0, std::max(1e-3, T_sum / data_.customers)};
  }

  double Evaluate(const double* theta, double* grad) const override {
    const double ll = Value(theta);
    if (!grad) return ll;
    double shifted[4];
    for (int i = 0; i < 4; ++i) {
      const double h = 1e-5 * theta[i];
      std::copy(theta, theta + 4, shifted);
      shifted[i] = theta[i] + h;
      const double up = Value(shifted);
      shifted[i] = theta[i] - h;
      grad[i] = (up - Value(shifted)) / (2 * h);
    }
    return ll;
  }

 private:
  double Value(const double* theta) const {
    const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
    const size_t groups = data_.xs.size();
    std::vector<double> partial(threads_, 0.0);
    ParallelFor(data_.rows(), threads_, [&](size_t begin, size_t end, int chunk) {
      size_t group = 0;
      double sum = 0;
      LogFAtT at_T;  // rows are sorted by (x, T, t_x)
      for (size_t row = begin; row < end; ++row) {
        while (data_.x_begin[group + 1] <= row) ++group;
        const double x = data_.xs[group];
        const double T = data_.times[data_.T[row]], t_x = data_.times[data_.tx[row]];
        const double log_alive = -(r + x) * std::log(alpha + T) - s * std::log(beta + T);
        const double log_died = std::log(s) + LogIntegral(theta, x, t_x, T, at_T);
        sum += data_.weight[row] * LogAddExp(log_alive, log_died);
      }
      partial[chunk] = sum;
    });
    double ll = 0;
    for (double sum : partial) ll += sum;
    const double constant = -std::lgamma(r) + r * std::log(alpha) + s * std::log(beta);
    for (size_t group = 0; group < groups; ++group) {
      double weight = 0;
      for (size_t row = data_.x_begin[group]; row < data_.x_begin[group + 1]; ++row) {
        weight += data_.weight[row];
      }
      ll += weight * (std::lgamma(r + data_.xs[group]) + constant);
    }
    return ll;
  }

  PurchaseData data_;
  int threads_;
};

}  // namespace

std::unique_ptr<Likelihood> MakeParetoNbdLikelihood(PurchaseData data, int threads) {
  return std::make_unique<ParetoNbdLikelihood>(std::move(data), threads);
}

ParetoTerms ParetoNbdTerms(const double* theta, double x, double t_x, double T) {
  const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
  ParetoTerms terms;
  terms.log_alive = -(r + x) * std::log(alpha + T) - s * std::log(beta + T);
  LogFAtT at_T;
  terms.log_died = std::log(s) + LogIntegral(theta, x, t_x, T, at_T);
  return terms;
}

namespace paretonbd {

double ProbabilityAlive(const double* theta, double x, double t_x, double T) {
  const ParetoTerms terms = ParetoNbdTerms(theta, x, t_x, T);
  return std::exp(terms.log_alive - LogAddExp(terms.log_alive, terms.log_died));
}

// (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)], with its limit at s = 1.
double ExpectedIfAlive(const double* theta, double t, double x, double T) {
  const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
  if (t <= 0) return 0;
  const double log_ratio = std::log((beta + T) / (beta + T + t));
  const double shrink =
      std::abs(s - 1) < 1e-12 ? -log_ratio : -std::expm1((s - 1) * log_ratio) / (s - 1);
  return (r + x) * (beta + T) / (alpha + T) * shrink;
}

// Alive through t with n purchases, or dead at some y ≤ t after n purchases in (0, y]:
//   NBD(n; y) = Γ(r+n) / (Γ(r) n!) (α/(α+y))^r (y/(α+y))^n,
//   P = NBD(n; t) (β/(β+t))^s + ∫_0^t s β^s (β+y)^-(s+1) NBD(n; y) dy,
// the integral by adaptive Gauss–Kronrod (smooth, bounded integrand).
double ProbabilityOfPurchases(const double* theta, double t, int n) {
  const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
  const double log_coefficient = std::lgamma(r + n) - std::lgamma(r) - std::lgamma(n + 1.0);
  auto nbd = [&](double y) {
    if (y <= 0) return n == 0 ? 1.0 : 0.0;
    return std::exp(log_coefficient + r * std::log(alpha / (alpha + y)) +
                    n * std::log(y / (alpha + y)));
  };
  auto died = [&](double y) {
    return s * std::exp(s * std::log(beta) - (s + 1) * std::log(beta + y)) * nbd(y);
  };
  const double integral =
      boost::math::quadrature::gauss_kronrod<double, 61>::integrate(died, 0.0, t, 15, 1e-12);
  return nbd(t) * std::exp(s * std::log(beta / (beta + t))) + integral;
}

}  // namespace paretonbd
}  // namespace segmenta::value
