// The per-customer and population expressions of each purchase model, over its
// parameters θ (BG/NBD: r, α, a, b; Pareto/NBD: r, α, s, β). PurchaseModel dispatches
// here; the formulas and their sources are beside each definition.
#ifndef SEGMENTA_SEGMENT_VALUE_PURCHASE_FORMULAS_H_
#define SEGMENTA_SEGMENT_VALUE_PURCHASE_FORMULAS_H_

namespace segmenta::value {

namespace bgnbd {
double ProbabilityAlive(const double* theta, double x, double t_x, double T);
double ExpectedIfAlive(const double* theta, double t, double x, double T);
double ProbabilityOfPurchases(const double* theta, double t, int n);
}  // namespace bgnbd

namespace paretonbd {
double ProbabilityAlive(const double* theta, double x, double t_x, double T);
double ExpectedIfAlive(const double* theta, double t, double x, double T);
double ProbabilityOfPurchases(const double* theta, double t, int n);
}  // namespace paretonbd

}  // namespace segmenta::value

#endif  // SEGMENTA_SEGMENT_VALUE_PURCHASE_FORMULAS_H_
