// Customer summaries: validation, and the compressed forms the likelihoods read.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>

#include "segment/format.h"
#include "segment/value/likelihood.h"
#include "segmenta/value.h"

namespace segmenta::value {
namespace {

Status Bad(size_t row, const std::string& what) {
  return Status::InvalidArgument("customer " + std::to_string(row) + ": " + what);
}

}  // namespace

Status ValidateCustomer(double x, double t_x, double T, std::optional<double> monetary) {
  if (!std::isfinite(x) || x < 0 || x != std::floor(x)) {
    return Status::InvalidArgument("x = " + segment::Significant(x, 10) +
                                   " is not a whole number of repeat purchases >= 0");
  }
  if (!std::isfinite(T) || T < 0)
    return Status::InvalidArgument("T = " + segment::Significant(T, 10) + " is not a time >= 0");
  if (!std::isfinite(t_x) || t_x < 0 || t_x > T) {
    return Status::InvalidArgument("t_x = " + segment::Significant(t_x, 10) +
                                   " is not between 0 and T = " + segment::Significant(T, 10));
  }
  if (x == 0 && t_x != 0) {
    return Status::InvalidArgument("t_x = " + segment::Significant(t_x, 10) +
                                   " but x = 0: without repeat purchases t_x is 0");
  }
  if (monetary && !(std::isfinite(*monetary) && *monetary >= 0)) {
    return Status::InvalidArgument("monetary = " + segment::Significant(*monetary, 10) +
                                   " is not a value >= 0");
  }
  return Status::Ok();
}

Status ValidateSummary(const Summary& summary) {
  const size_t n = summary.x.size();
  if (summary.t_x.size() != n || summary.T.size() != n ||
      (!summary.monetary.empty() && summary.monetary.size() != n)) {
    return Status::InvalidArgument("summary columns differ in length: x " + std::to_string(n) +
                                   ", t_x " + std::to_string(summary.t_x.size()) + ", T " +
                                   std::to_string(summary.T.size()) + ", monetary " +
                                   std::to_string(summary.monetary.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    std::optional<double> m;
    if (!summary.monetary.empty()) m = summary.monetary[i];
    Status status = ValidateCustomer(summary.x[i], summary.t_x[i], summary.T[i], m);
    if (!status.ok()) return Bad(i, status.message());
  }
  return Status::Ok();
}

PurchaseData CompressPurchases(const Summary& summary, int threads) {
  struct Row {
    double x, T, t_x;
  };
  const size_t n = summary.size();
  std::vector<Row> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = {summary.x[i], summary.T[i], summary.t_x[i]};
  auto key = [](const Row& row) { return std::tie(row.x, row.T, row.t_x); };
  auto less = [&](const Row& a, const Row& b) { return key(a) < key(b); };
  if (n >= 200000 && ResolveThreads(threads) > 1) {
    // Two halves sorted at once, then merged: the sort is most of the compression.
    const auto middle = rows.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::thread first([&] { std::sort(rows.begin(), middle, less); });
    std::sort(middle, rows.end(), less);
    first.join();
    std::inplace_merge(rows.begin(), middle, rows.end(), less);
  } else {
    std::sort(rows.begin(), rows.end(), less);
  }

  // Distinct rows first (they are sorted), then the distinct times among them.
  std::vector<Row> distinct;
  PurchaseData data;
  data.customers = static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && key(rows[i]) == key(rows[i - 1])) {
      data.weight.back() += 1;
      continue;
    }
    distinct.push_back(rows[i]);
    data.weight.push_back(1);
  }
  rows = std::vector<Row>();
  data.times.reserve(2 * distinct.size());
  for (const Row& row : distinct) {
    data.times.push_back(row.T);
    data.times.push_back(row.t_x);
  }
  std::sort(data.times.begin(), data.times.end());
  data.times.erase(std::unique(data.times.begin(), data.times.end()), data.times.end());
  auto index_of = [&](double time) {
    return static_cast<uint32_t>(std::lower_bound(data.times.begin(), data.times.end(), time) -
                                 data.times.begin());
  };
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (data.xs.empty() || distinct[i].x != data.xs.back()) {
      data.xs.push_back(distinct[i].x);
      data.x_begin.push_back(i);
    }
    data.T.push_back(index_of(distinct[i].T));
    data.tx.push_back(index_of(distinct[i].t_x));
  }
  data.x_begin.push_back(data.weight.size());
  return data;
}

double StartingAlpha(const PurchaseData& data) {
  double x_sum = 0, T_sum = 0;
  for (size_t group = 0; group < data.xs.size(); ++group) {
    for (size_t row = data.x_begin[group]; row < data.x_begin[group + 1]; ++row) {
      x_sum += data.weight[row] * data.xs[group];
      T_sum += data.weight[row] * data.times[data.T[row]];
    }
  }
  return x_sum > 0 ? std::max(1e-3, T_sum / x_sum) : 1.0;
}

OrderData CollectOrders(const Summary& summary) {
  OrderData data;
  std::vector<size_t> order;
  for (size_t i = 0; i < summary.size() && !summary.monetary.empty(); ++i) {
    if (summary.x[i] > 0 && summary.monetary[i] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return summary.x[a] < summary.x[b]; });
  for (size_t i : order) {
    data.x.push_back(summary.x[i]);
    data.m.push_back(summary.monetary[i]);
    data.log_m.push_back(std::log(summary.monetary[i]));
    data.weight.push_back(1);
  }
  data.customers = static_cast<double>(data.weight.size());
  return data;
}

namespace {

// Every step-th index of [0, n), starting at step / 2.
std::vector<size_t> EvenlySpaced(size_t n, size_t max_rows) {
  std::vector<size_t> picked;
  const double step = static_cast<double>(n) / static_cast<double>(max_rows);
  for (size_t k = 0; k < max_rows; ++k) {
    picked.push_back(std::min(n - 1, static_cast<size_t>((k + 0.5) * step)));
  }
  return picked;
}

}  // namespace

PurchaseData SamplePurchases(const PurchaseData& data, size_t max_rows) {
  if (data.rows() <= max_rows) return data;
  PurchaseData sample;
  sample.times = data.times;
  sample.customers = data.customers;
  size_t group = 0;
  double kept = 0;
  for (size_t row : EvenlySpaced(data.rows(), max_rows)) {
    while (data.x_begin[group + 1] <= row) ++group;
    if (sample.xs.empty() || sample.xs.back() != data.xs[group]) {
      sample.xs.push_back(data.xs[group]);
      sample.x_begin.push_back(sample.weight.size());
    }
    sample.T.push_back(data.T[row]);
    sample.tx.push_back(data.tx[row]);
    sample.weight.push_back(data.weight[row]);
    kept += data.weight[row];
  }
  sample.x_begin.push_back(sample.weight.size());
  for (double& weight : sample.weight) weight *= data.customers / kept;
  return sample;
}

OrderData SampleOrders(const OrderData& data, size_t max_rows) {
  if (data.rows() <= max_rows) return data;
  OrderData sample;
  sample.customers = data.customers;
  for (size_t row : EvenlySpaced(data.rows(), max_rows)) {
    sample.x.push_back(data.x[row]);
    sample.m.push_back(data.m[row]);
    sample.log_m.push_back(data.log_m[row]);
    sample.weight.push_back(data.customers / static_cast<double>(max_rows));
  }
  return sample;
}

double FrequencyValueCorrelation(const Summary& summary) {
  OrderData orders = CollectOrders(summary);
  const double n = static_cast<double>(orders.rows());
  if (n < 2) return std::nan("");
  const double mean_x = std::accumulate(orders.x.begin(), orders.x.end(), 0.0) / n;
  const double mean_m = std::accumulate(orders.m.begin(), orders.m.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < orders.rows(); ++i) {
    const double dx = orders.x[i] - mean_x, dm = orders.m[i] - mean_m;
    sxy += dx * dm;
    sxx += dx * dx;
    syy += dm * dm;
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace segmenta::value
