// Likelihoods of the value models over compressed customer data, for the fitter.
//
// Purchase models see each distinct (x, t_x, T) once, with the number of customers
// who share it as its weight; rows are sorted by x, and t_x and T index one table of
// distinct times, so a log(α + t) is computed once per distinct time per evaluation.
#ifndef SEGMENTA_SEGMENT_VALUE_LIKELIHOOD_H_
#define SEGMENTA_SEGMENT_VALUE_LIKELIHOOD_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "core/parallel.h"
#include "segmenta/value.h"

namespace segmenta::value {

struct PurchaseData {
  std::vector<double> xs;       // distinct x, ascending
  std::vector<size_t> x_begin;  // rows of xs[k]: [x_begin[k], x_begin[k + 1])
  std::vector<double> times;    // distinct t_x and T values, ascending
  std::vector<uint32_t> tx, T;  // per row: index into times
  std::vector<double> weight;   // customers per row
  double customers = 0;

  size_t rows() const { return weight.size(); }
};

// Order values of the customers with x > 0 and monetary > 0, sorted by x.
struct OrderData {
  std::vector<double> x, log_m, m, weight;
  double customers = 0;
  size_t rows() const { return weight.size(); }
};

PurchaseData CompressPurchases(const Summary& summary, int threads);
// A starting α for the purchase models: with r = 1, the rate r/α is the observed repeat
// purchase rate Σx / ΣT (1 without repeats).
double StartingAlpha(const PurchaseData& data);
OrderData CollectOrders(const Summary& summary);
// About `max_rows` evenly spaced rows, each weighted up so the total stays the same.
PurchaseData SamplePurchases(const PurchaseData& data, size_t max_rows);
OrderData SampleOrders(const OrderData& data, size_t max_rows);

// Below this many rows, threads cost more than they save (one evaluation of 10,000 rows
// takes about as long as starting a thread).
inline int ThreadsFor(size_t rows, int requested) {
  return rows < 20000 ? 1 : ResolveThreads(requested);
}

class Likelihood {
 public:
  virtual ~Likelihood() = default;
  virtual int dim() const = 0;
  // The total log-likelihood at the natural parameters θ; fills grad = ∂LL/∂θ when it
  // is not null. NaN or -inf when θ is out of the model's reach.
  virtual double Evaluate(const double* theta, double* grad) const = 0;
  // A starting point from the data's moments.
  virtual std::vector<double> Start() const = 0;
  virtual double customers() const = 0;
  virtual int64_t distinct() const = 0;
};

std::unique_ptr<Likelihood> MakeBgNbdLikelihood(PurchaseData data, int threads);
std::unique_ptr<Likelihood> MakeParetoNbdLikelihood(PurchaseData data, int threads);
std::unique_ptr<Likelihood> MakeGammaGammaLikelihood(OrderData data, int threads);

// The Pareto/NBD per-customer pieces: log of the two likelihood terms without the
// parameter-only constants (see paretonbd.cc), shared by the likelihood and P(alive).
struct ParetoTerms {
  double log_alive;  // log[(α+T)^-(r+x) (β+T)^-s]: bought x times and alive at T
  double log_died;   // log[s ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy]: died in (t_x, T]
};
ParetoTerms ParetoNbdTerms(const double* theta, double x, double t_x, double T);

}  // namespace segmenta::value

#endif  // SEGMENTA_SEGMENT_VALUE_LIKELIHOOD_H_
