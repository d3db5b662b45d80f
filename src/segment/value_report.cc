#include "segment/value_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "segment/format.h"

namespace segmenta::segment {
namespace {

using nlohmann::json;

constexpr int kWidth = 560, kHeight = 220, kLeft = 50, kBottom = 30;
constexpr const char* kActual = "#2f6db5";
constexpr const char* kExpected = "#e08a2c";

std::string Legend() {
  return std::string("<div class=\"muted\"><span style=\"color:") + kActual +
         "\">■ actual</span> <span style=\"color:" + kExpected + "\">■ model</span></div>";
}

// Actual against expected holdout purchases per customer, two bars per bucket.
std::string FrequencyChart(const json& buckets) {
  double top = 1e-9;
  for (const json& b : buckets) {
    top = std::max({top, b.value("actual", 0.0), b.value("expected", 0.0)});
  }
  const double slot = static_cast<double>(kWidth - kLeft) / std::max<size_t>(1, buckets.size());
  auto height = [&](double v) { return v / top * (kHeight - kBottom - 10); };
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"holdout purchases by calibration frequency\" width=\""
      << kWidth << "\" height=\"" << kHeight << "\">";
  for (size_t i = 0; i < buckets.size(); ++i) {
    const json& b = buckets[i];
    const double x = kLeft + i * slot, base = kHeight - kBottom;
    const double actual = height(b.value("actual", 0.0)),
                 expected = height(b.value("expected", 0.0));
    svg << "<rect x=\"" << Fixed(x + slot * 0.1, 1) << "\" y=\"" << Fixed(base - actual, 1)
        << "\" width=\"" << Fixed(slot * 0.38, 1) << "\" height=\"" << Fixed(actual, 1)
        << "\" fill=\"" << kActual << "\"/><rect x=\"" << Fixed(x + slot * 0.5, 1) << "\" y=\""
        << Fixed(base - expected, 1) << "\" width=\"" << Fixed(slot * 0.38, 1) << "\" height=\""
        << Fixed(expected, 1) << "\" fill=\"" << kExpected << "\"/><text x=\""
        << Fixed(x + slot * 0.35, 1) << "\" y=\"" << kHeight - 10 << "\" font-size=\"12\">"
        << HtmlEscape(b.value("x", "")) << "</text>";
  }
  svg << "<text x=\"0\" y=\"14\" font-size=\"12\">" << Fixed(top, 2) << "</text><text x=\"0\" y=\""
      << kHeight - kBottom << "\" font-size=\"12\">0</text></svg>";
  return svg.str();
}

// Cumulative repeat purchases: two lines over the weeks.
std::string TrackingChart(const json& points) {
  double top = 1e-9;
  for (const json& p : points)
    top = std::max({top, p.value("actual", 0.0), p.value("expected", 0.0)});
  const double step = static_cast<double>(kWidth - kLeft) / std::max<size_t>(1, points.size());
  auto line = [&](const char* key, const char* colour) {
    std::ostringstream path;
    path << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colour << "\" points=\"";
    for (size_t i = 0; i < points.size(); ++i) {
      path << Fixed(kLeft + (i + 1) * step, 1) << ","
           << Fixed(kHeight - kBottom - points[i].value(key, 0.0) / top * (kHeight - kBottom - 10),
                    1)
           << " ";
    }
    path << "\"/>";
    return path.str();
  };
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"cumulative repeat purchases by week\" width=\"" << kWidth
      << "\" height=\"" << kHeight << "\">" << line("actual", kActual)
      << line("expected", kExpected) << "<text x=\"0\" y=\"14\" font-size=\"12\">"
      << Count(static_cast<int64_t>(top)) << "</text><text x=\"" << kLeft << "\" y=\""
      << kHeight - 10 << "\" font-size=\"12\">week 1</text><text x=\"" << kWidth - 70 << "\" y=\""
      << kHeight - 10 << "\" font-size=\"12\">week " << points.size() << "</text></svg>";
  return svg.str();
}

std::string ParameterTable(const json& fit) {
  std::ostringstream html;
  html << "<table><tr><th>" << HtmlEscape(fit.value("model", "")) << "</th><th>estimate</th>"
       << "<th>std. error</th></tr>";
  for (const auto& [name, value] : fit["params"].items()) {
    const json& error = fit["std_errors"][name];
    html << "<tr><td>" << HtmlEscape(name) << "</td><td>" << Fixed(value.get<double>(), 4)
         << "</td><td>" << (error.is_number() ? Fixed(error.get<double>(), 4) : "n/a")
         << "</td></tr>";
  }
  html << "</table>";
  return html.str();
}

}  // namespace

Result<std::string> ValueReportSection(store::Connection& conn, int64_t snapshot_id) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT model, diagnostics FROM value_models WHERE "
                                  "snapshot_id = $1",
                                  {snapshot_id}));
  if (rows.rows.empty()) return std::string();
  const json model = json::parse(store::ToText(rows.rows[0][0]), nullptr, false);
  const json diagnostics = json::parse(store::ToText(rows.rows[0][1]), nullptr, false);
  std::ostringstream html;
  html << "<h2>Customer value</h2><p class=\"muted\">Calibration through "
       << HtmlEscape(model.value("calibration_end", "")) << ", time in "
       << HtmlEscape(model.value("unit", "")) << ".</p><div class=\"cards\">";
  if (model.contains("purchases"))
    html << "<div class=\"card\">" << ParameterTable(model["purchases"]) << "</div>";
  if (model.contains("orders") && model["orders"].is_object()) {
    html << "<div class=\"card\">" << ParameterTable(model["orders"]) << "</div>";
  }
  html << "</div>";
  if (diagnostics.is_object() && diagnostics.contains("by_frequency")) {
    html << "<h3>Holdout purchases per customer by calibration frequency ("
         << HtmlEscape(diagnostics.value("holdout_start", "")) << " to "
         << HtmlEscape(diagnostics.value("holdout_end", "")) << ")</h3>" << Legend()
         << FrequencyChart(diagnostics["by_frequency"])
         << "<h3>Cumulative repeat purchases, week by week</h3>" << Legend()
         << TrackingChart(diagnostics["tracking"]);
  } else if (diagnostics.is_object() && diagnostics.contains("error")) {
    html << "<p class=\"muted\">Diagnostics: " << HtmlEscape(diagnostics.value("error", ""))
         << "</p>";
  }
  return html.str();
}

}  // namespace segmenta::segment
