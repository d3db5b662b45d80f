// Special functions of the value models that the hot loops call millions of times.
//
// Both series here have positive-or-eventually-monotone terms for the arguments the
// models pass (0 ≤ z < 1); each returns NaN when it has not converged after
// kMaxSeriesTerms terms, so a caller turns that into an error, never a wrong number.
// special_test.cc checks them against Boost.Math's hypergeometric_pFq.
#ifndef SEGMENTA_SEGMENT_VALUE_SPECIAL_H_
#define SEGMENTA_SEGMENT_VALUE_SPECIAL_H_

namespace segmenta::value {

inline constexpr int kMaxSeriesTerms = 200000;

// Gauss's hypergeometric function 2F1(a, b; c; z) by its power series, 0 ≤ z < 1,
// c > 0.
double Hyp2F1(double a, double b, double c, double z);

// Σ_{n≥0} [(b)_n / (c)_n] z^n = 2F1(1, b; c; z), for 0 < b < c and 0 ≤ z < 1: every
// term positive and each at most z times the one before.
double RatioSeries(double b, double c, double z);

// log Β(a, b).
double LogBeta(double a, double b);

// log(exp(u) + exp(v)) without overflow.
double LogAddExp(double u, double v);

}  // namespace segmenta::value

#endif  // SEGMENTA_SEGMENT_VALUE_SPECIAL_H_
