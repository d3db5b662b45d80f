// BG/NBD (Fader, Hardie & Lee 2005): the likelihood with its analytic gradient, and the
// per-customer and population expressions.
//
// Per customer, with u = a/(b+x−1) · ((α+T)/(α+t_x))^(r+x) when x > 0 and u = 0 else:
//   log L = log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x) − log B(a, b)
//           − (r+x) log(α+T) + log(1 + u)
// The terms that depend on x alone are computed once per distinct x.
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "segment/value/likelihood.h"
#include "segment/value/purchase_formulas.h"
#include "segment/value/special.h"

namespace segmenta::value {
namespace {

using boost::math::digamma;

// log(1 + e^v) and 1 / (1 + e^-v) from one exponential, without overflow.
struct Logistic {
  double softplus, sigmoid;
};
Logistic LogisticOf(double v) {
  const double e = std::exp(-std::abs(v));
  const double log_term = std::log1p(e);
  return v > 0 ? Logistic{v + log_term, 1 / (1 + e)} : Logistic{log_term, e / (1 + e)};
}

// Sums over the rows of one x: what the gradient needs besides the x-only terms.
struct GroupSums {
  double weight = 0, log_aT = 0, inv_aT = 0;  // Σw, Σw log(α+T), Σw / (α+T)
  double g = 0, g_log = 0,
         g_inv = 0;  // Σw g, Σw g (log(α+T) − log(α+t_x)), Σw g (1/(α+T) − 1/(α+t_x))
  double rows = 0;   // Σw (−(r+x) log(α+T) + log(1+u))
  void Add(const GroupSums& other) {
    weight += other.weight, log_aT += other.log_aT, inv_aT += other.inv_aT;
    g += other.g, g_log += other.g_log, g_inv += other.g_inv, rows += other.rows;
  }
};

class BgNbdLikelihood : public Likelihood {
 public:
  BgNbdLikelihood(PurchaseData data, int threads)
      : data_(std::move(data)), threads_(ThreadsFor(data_.rows(), threads)) {}

  int dim() const override { return 4; }
  double customers() const override { return data_.customers; }
  int64_t distinct() const override { return static_cast<int64_t>(data_.rows()); }

  std::vector<double> Start() const override { return {1.0, StartingAlpha(data_), 1.0, 1.0}; }

  double Evaluate(const double* theta, double* grad) const override {
    const double r = theta[0], alpha = theta[1], a = theta[2], b = theta[3];
    const size_t groups = data_.xs.size();
    std::vector<double> log_at(data_.times.size()), inv_at(data_.times.size());
    ParallelFor(data_.times.size(), threads_, [&](size_t begin, size_t end, int) {
      for (size_t k = begin; k < end; ++k) {
        log_at[k] = std::log(alpha + data_.times[k]);
        inv_at[k] = 1 / (alpha + data_.times[k]);
      }
    });
    std::vector<double> log_c(groups);
    for (size_t group = 0; group < groups; ++group) {
      const double x = data_.xs[group];
      log_c[group] = x > 0 ? std::log(a) - std::log(b + x - 1) : 0;
    }
    // Per chunk, per group sums; the chunks are added in order (deterministic).
    std::vector<std::vector<GroupSums>> partial(threads_, std::vector<GroupSums>(groups));
    ParallelFor(data_.rows(), threads_, [&](size_t begin, size_t end, int chunk) {
      size_t group = FirstGroup(begin);
      std::vector<GroupSums>& sums = partial[chunk];
      for (size_t row = begin; row < end; ++row) {
        while (data_.x_begin[group + 1] <= row) ++group;
        const double x = data_.xs[group], w = data_.weight[row];
        const double lT = log_at[data_.T[row]], iT = inv_at[data_.T[row]];
        GroupSums& s = sums[group];
        s.weight += w;
        s.log_aT += w * lT;
        s.inv_aT += w * iT;
        double row_ll = -(r + x) * lT;
        if (x > 0) {
          const double d = lT - log_at[data_.tx[row]];
          const double v = log_c[group] + (r + x) * d;
          const Logistic logistic = LogisticOf(v);
          const double g = logistic.sigmoid;
          row_ll += logistic.softplus;
          s.g += w * g;
          s.g_log += w * g * d;
          s.g_inv += w * g * (iT - inv_at[data_.tx[row]]);
        }
        s.rows += w * row_ll;
      }
    });
    for (int chunk = 1; chunk < threads_; ++chunk) {
      for (size_t group = 0; group < groups; ++group) partial[0][group].Add(partial[chunk][group]);
    }
    double ll = 0;
    double dr = 0, dalpha = 0, da = 0, db = 0;
    const double log_beta_ab = LogBeta(a, b), lgamma_r = std::lgamma(r),
                 log_alpha = std::log(alpha);
    const double psi_r = grad ? digamma(r) : 0, psi_ab = grad ? digamma(a + b) : 0,
                 psi_b = grad ? digamma(b) : 0;
    for (size_t group = 0; group < groups; ++group) {
      const GroupSums& s = partial[0][group];
      if (s.weight == 0) continue;
      const double x = data_.xs[group];
      const double constant =
          std::lgamma(r + x) - lgamma_r + r * log_alpha + LogBeta(a, b + x) - log_beta_ab;
      ll += s.weight * constant + s.rows;
      if (!grad) continue;
      const double psi_abx = digamma(a + b + x);
      dr += s.weight * (digamma(r + x) - psi_r + log_alpha) - s.log_aT + s.g_log;
      dalpha += s.weight * r / alpha - (r + x) * s.inv_aT + (r + x) * s.g_inv;
      da += s.weight * (psi_ab - psi_abx) + s.g / a;
      db += s.weight * (digamma(b + x) - psi_abx - psi_b + psi_ab);
      if (x > 0) db -= s.g / (b + x - 1);
    }
    if (grad) grad[0] = dr, grad[1] = dalpha, grad[2] = da, grad[3] = db;
    return ll;
  }

 private:
  size_t FirstGroup(size_t row) const {
    size_t group = 0;
    while (group + 1 < data_.x_begin.size() && data_.x_begin[group + 1] <= row) ++group;
    return group;
  }

  PurchaseData data_;
  int threads_;
};

}  // namespace

std::unique_ptr<Likelihood> MakeBgNbdLikelihood(PurchaseData data, int threads) {
  return std::make_unique<BgNbdLikelihood>(std::move(data), threads);
}

namespace bgnbd {

double ProbabilityAlive(const double* theta, double x, double t_x, double T) {
  const double r = theta[0], alpha = theta[1], a = theta[2], b = theta[3];
  if (x <= 0) return 1;
  const double v =
      std::log(a) - std::log(b + x - 1) + (r + x) * (std::log(alpha + T) - std::log(alpha + t_x));
  return 1 / (1 + std::exp(v));
}

// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; z)], z = t/(α+T+t),
// written after Euler's transformation 2F1(A, B; C; z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z)
// as 1 − (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z): its terms shrink at once even for a
// huge x, where the untransformed series overflows.
double ExpectedIfAlive(const double* theta, double t, double x, double T) {
  const double r = theta[0], alpha = theta[1], a = theta[2], b = theta[3];
  if (t <= 0) return 0;
  const double z = t / (alpha + T + t);
  const double f = Hyp2F1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  const double shrink = std::exp((a - 1) * std::log1p(-z));
  return (a + b + x - 1) / (a - 1) * (1 - shrink * f);
}

// Fader, Hardie & Lee (2005), equation 8.
double ProbabilityOfPurchases(const double* theta, double t, int n) {
  const double r = theta[0], alpha = theta[1], a = theta[2], b = theta[3];
  const double log_p = std::log(alpha / (alpha + t)), log_q = std::log(t / (alpha + t));
  auto log_nbd = [&](int j) {
    return std::lgamma(r + j) - std::lgamma(r) - std::lgamma(j + 1.0) + r * log_p +
           (j > 0 ? j * log_q : 0.0);
  };
  const double log_beta_ab = LogBeta(a, b);
  double p = std::exp(LogBeta(a, b + n) - log_beta_ab + log_nbd(n));
  if (n > 0) {
    double below = 0;
    for (int j = 0; j < n; ++j) below += std::exp(log_nbd(j));
    p += std::exp(LogBeta(a + 1, b + n - 1) - log_beta_ab) * (1 - below);
  }
  return p;
}

}  // namespace bgnbd
}  // namespace segmenta::value
