// The one-file HTML report: everything inline (CSS and SVG), nothing fetched.
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "segment/format.h"
#include "segment/kpi_report.h"
#include "segment/value_report.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {
namespace {

using segment::Count;
using segment::Fixed;

std::string Escape(std::string_view text) { return segment::HtmlEscape(text); }

constexpr const char* kStyle = R"css(
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:24px 40px}h1{margin:0;font-size:26px}
main{padding:8px 40px 40px;max-width:1200px}h2{margin-top:36px;border-bottom:2px solid #d8dde5}
.cards{display:flex;flex-wrap:wrap;gap:16px}.card{background:#fff;border-radius:8px;
padding:16px;box-shadow:0 1px 3px #0002;flex:1 1 320px}.card h3{margin:0 0 4px}
.kpi{font-size:28px;font-weight:600}.muted{color:#667}.warn{background:#fff4e5;
border-left:4px solid #f0a020;padding:8px 12px;margin:6px 0}table{border-collapse:collapse}
td,th{padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
tr:nth-child(even){background:#eef1f5}.play{display:inline-block;background:#e3f1e6;
color:#1d6b32;border-radius:4px;padding:2px 8px;font-weight:600}
.kpis{font-size:13px}.kpis td,.kpis th{padding:3px 6px;white-space:nowrap}
)css";

std::string Bars(const SegmentationResult& segmentation) {
  int64_t largest = 1;
  for (const SegmentSize& s : segmentation.segments) largest = std::max(largest, s.customers);
  const int row = 26, label = 190, width = 460;
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"segment sizes\" width=\"" << label + width + 120
      << "\" height=\"" << row * segmentation.segments.size() + 6 << "\">";
  int y = 0;
  for (const SegmentSize& s : segmentation.segments) {
    int bar = static_cast<int>(width * static_cast<double>(s.customers) / largest);
    svg << "<text x=\"0\" y=\"" << y + 17 << "\" font-size=\"13\">" << Escape(s.segment)
        << "</text><rect x=\"" << label << "\" y=\"" << y + 4 << "\" width=\"" << bar
        << "\" height=\"18\" fill=\"#3b6ea8\"/><text x=\"" << label + bar + 6 << "\" y=\"" << y + 17
        << "\" font-size=\"12\">"
        << (s.suppressed ? "withheld" : Count(s.customers) + " · " + Fixed(100 * s.share, 1) + "%")
        << "</text>";
    y += row;
  }
  svg << "</svg>";
  return svg.str();
}

// R (rows, 5 at the top) × F (columns) customer counts from the rfm membership scores.
std::string RfmHeatmap(const RfmGrid& grid, int min_group_size) {
  std::map<std::pair<int64_t, int64_t>, std::pair<int64_t, std::string>> cells;
  int64_t largest = 1, bins = grid.bins;
  for (const RfmCell& cell : grid.cells) {
    cells[{cell.r, cell.f}] = {cell.suppressed ? 1 : cell.customers, cell.segment};
    largest = std::max(largest, cell.customers);
  }
  const int size = 92;
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"RFM grid\" width=\"" << size * bins + 40 << "\" height=\""
      << size * bins + 40 << "\">";
  for (int64_t r = bins; r >= 1; --r) {
    for (int64_t f = 1; f <= bins; ++f) {
      auto [count, segment] =
          cells.count({r, f}) ? cells[{r, f}] : std::pair<int64_t, std::string>{0, ""};
      double heat = std::sqrt(static_cast<double>(count) / largest);
      int x = 30 + static_cast<int>((f - 1) * size), y = static_cast<int>((bins - r) * size);
      int shade = 245 - static_cast<int>(170 * heat);
      svg << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << size - 2 << "\" height=\""
          << size - 2 << "\" fill=\"rgb(" << shade << "," << shade + 8 << ",255)\"/>"
          << "<text x=\"" << x + 6 << "\" y=\"" << y + 20 << "\" font-size=\"11\">"
          << Escape(segment.substr(0, 16)) << "</text><text x=\"" << x + 6 << "\" y=\"" << y + 50
          << "\" font-size=\"16\" font-weight=\"600\">"
          << (count > 0 && count < min_group_size ? "&lt;" + std::to_string(min_group_size)
                                                  : Count(count))
          << "</text>";
    }
    svg << "<text x=\"4\" y=\"" << (bins - r) * size + 50 << "\" font-size=\"13\">R" << r
        << "</text>";
  }
  for (int64_t f = 1; f <= bins; ++f) {
    svg << "<text x=\"" << 30 + (f - 1) * size + 36 << "\" y=\"" << bins * size + 20
        << "\" font-size=\"13\">F" << f << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

// The stored 2-D projection of a cluster model: a seeded sample of customers coloured by
// cluster, and the centres labelled. Clusters under the privacy minimum are left out.
std::string ClusterScatter(const nlohmann::json& model, int min_group_size) {
  const nlohmann::json& projection = model.value("projection", nlohmann::json());
  if (!projection.is_object() || projection["points"].empty()) return "";
  std::set<int> shown;
  for (const auto& cluster : model["clusters"]) {
    if (cluster["size"].get<int64_t>() >= min_group_size) shown.insert(cluster["id"].get<int>());
  }
  double low_x = 1e300, high_x = -1e300, low_y = 1e300, high_y = -1e300;
  for (const auto& point : projection["points"]) {
    low_x = std::min(low_x, point[0].get<double>());
    high_x = std::max(high_x, point[0].get<double>());
    low_y = std::min(low_y, point[1].get<double>());
    high_y = std::max(high_y, point[1].get<double>());
  }
  constexpr double kSize = 420, kMargin = 20;
  auto x = [&](double value) {
    return kMargin + (value - low_x) / std::max(high_x - low_x, 1e-9) * kSize;
  };
  auto y = [&](double value) {
    return kMargin + kSize - (value - low_y) / std::max(high_y - low_y, 1e-9) * kSize;
  };
  static const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"clusters on the first two principal components\" "
         "width=\""
      << kSize + 2 * kMargin << "\" height=\"" << kSize + 2 * kMargin << "\">";
  for (const auto& point : projection["points"]) {
    int id = point[2].get<int>();
    if (!shown.count(id)) continue;
    svg << "<circle cx=\"" << Fixed(x(point[0].get<double>()), 1) << "\" cy=\""
        << Fixed(y(point[1].get<double>()), 1) << "\" r=\"1.8\" fill=\"" << kColours[id % 10]
        << "\" fill-opacity=\"0.55\"/>";
  }
  for (const auto& centre : projection["centroids"]) {
    int id = centre[2].get<int>();
    if (!shown.count(id)) continue;
    double cx = x(centre[0].get<double>()), cy = y(centre[1].get<double>());
    svg << "<circle cx=\"" << Fixed(cx, 1) << "\" cy=\"" << Fixed(cy, 1)
        << "\" r=\"6\" fill=\"#fff\" stroke=\"#000\"/><text x=\"" << Fixed(cx + 8, 1) << "\" y=\""
        << Fixed(cy + 4, 1) << "\" font-size=\"12\">cluster " << id << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string ProfileCard(const nlohmann::json& p) {
  std::ostringstream html;
  html << "<div class=\"card\"><h3>" << Escape(p.value("segment", std::string())) << "</h3>";
  if (p.value("suppressed", false)) {
    html << "<p class=\"muted\">Fewer than " << p["min_group_size"].dump()
         << " customers: withheld.</p></div>";
    return html.str();
  }
  if (!p.contains("name")) return html.str() + "<p class=\"muted\">Empty.</p></div>";
  html << "<div class=\"muted\">" << Escape(p["name"].get<std::string>()) << "</div>"
       << "<div class=\"kpi\">" << Count(p["customers"].get<int64_t>()) << "</div><p>"
       << Escape(p["description"].get<std::string>()) << "</p><span class=\"play\">"
       << Escape(p["play"]["name"].get<std::string>()) << "</span> <span class=\"muted\">"
       << Escape(p["play"]["why"].get<std::string>()) << "</span></div>";
  return html.str();
}

}  // namespace

Result<RfmGrid> LoadRfmGrid(Workspace& workspace, int64_t snapshot_id,
                            const std::string& segmentation, int min_group_size) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT CAST(floor(score / 100) AS INTEGER), CAST(floor(score / 10) AS INTEGER) % 10, "
          "count(*), any_value(segment) FROM memberships WHERE snapshot_id = $1 AND "
          "segmentation = $2 AND score IS NOT NULL GROUP BY 1, 2 ORDER BY 1 DESC, 2",
          {snapshot_id, segmentation}));
  RfmGrid grid;
  for (const auto& row : rows.rows) {
    RfmCell cell;
    cell.r = static_cast<int>(store::ToDouble(row[0]));
    cell.f = static_cast<int>(store::ToDouble(row[1]));
    cell.customers = std::get<int64_t>(row[2]);
    cell.segment = store::ToText(row[3]);
    cell.suppressed = cell.customers < min_group_size;
    if (cell.suppressed) cell.customers = 0;
    grid.bins = std::max({grid.bins, cell.r, cell.f});
    grid.cells.push_back(std::move(cell));
  }
  return grid;
}

Status WriteReport(const Project& project, Workspace& workspace,
                   const std::filesystem::path& file) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(RunReport run, LoadSnapshot(project, workspace));
  std::ostringstream html;
  html << "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Segmenta "
          "report, as of "
       << run.as_of << "</title><style>" << kStyle << "</style></head><body><header><h1>"
       << "Customer segments</h1><div>Snapshot " << run.snapshot_id << " · as of " << run.as_of
       << " · " << Count(run.customers) << " customers</div></header><main>";
  html << "<h2>Overview</h2><div class=\"cards\">";
  for (const SegmentationResult& s : run.segmentations) {
    html << "<div class=\"card\"><h3>" << Escape(s.name) << "</h3><div class=\"muted\">"
         << Escape(s.method) << " · " << s.segments.size() << " segments</div></div>";
  }
  html << "</div><h2>Health</h2>";
  if (run.health.empty()) html << "<p>No warnings.</p>";
  for (const HealthWarning& w : run.health) {
    html << "<div class=\"warn\"><b>" << Escape(w.segmentation.empty() ? "data" : w.segmentation)
         << (w.segment.empty() ? "" : " / " + Escape(w.segment)) << "</b>: " << Escape(w.message)
         << "</div>";
  }
  for (const SegmentationResult& s : run.segmentations) {
    html << "<h2>" << Escape(s.name) << "</h2>" << Bars(s);
    if (s.method == "rfm") {
      SEG_ASSIGN_OR_RETURN(RfmGrid grid,
                           LoadRfmGrid(workspace, run.snapshot_id, s.name, project.min_group_size));
      html << "<h3>RFM grid (customers per recency × frequency score)</h3>"
           << RfmHeatmap(grid, project.min_group_size);
    }
    SEG_ASSIGN_OR_RETURN(store::Rows model,
                         conn.Query("SELECT CAST(json AS VARCHAR) FROM models WHERE snapshot_id = "
                                    "$1 AND segmentation = $2",
                                    {run.snapshot_id, s.name}));
    if (!model.rows.empty()) {
      std::string scatter =
          ClusterScatter(nlohmann::json::parse(store::ToText(model.rows[0][0]), nullptr, false),
                         project.min_group_size);
      if (!scatter.empty()) {
        html << "<h3>Clusters on the first two principal components (a sample)</h3>" << scatter;
      }
    }
    SEG_ASSIGN_OR_RETURN(store::Rows profiles,
                         conn.Query("SELECT json FROM profiles WHERE snapshot_id = $1 AND "
                                    "segmentation = $2 ORDER BY rowid",
                                    {run.snapshot_id, s.name}));
    html << "<h3>Profiles</h3><div class=\"cards\">";
    for (const auto& row : profiles.rows) {
      html << ProfileCard(nlohmann::json::parse(store::ToText(row[0]), nullptr, false));
    }
    html << "</div>";
  }
  SEG_ASSIGN_OR_RETURN(std::string value, segment::ValueReportSection(conn, run.snapshot_id));
  html << value;
  SEG_ASSIGN_OR_RETURN(std::string kpis, segment::KpiReportSection(project, workspace));
  html << kpis;
  Result<Comparison> moves = CompareSnapshots(project, workspace);
  html << "<h2>Since the previous snapshot</h2>";
  if (!moves.ok()) {
    html << "<p class=\"muted\">" << Escape(moves.status().message()) << "</p>";
  } else {
    for (const SegmentationComparison& c : moves->segmentations) {
      html << "<h3>" << Escape(c.segmentation) << " (as of " << moves->a.as_of << " → "
           << moves->b.as_of << ")</h3><table><tr><th>segment</th><th>before</th><th>now</th>"
           << "<th>change</th><th>gained</th><th>lost</th></tr>";
      for (const SizeChange& size : c.sizes) {
        html << "<tr><td>" << Escape(size.segment) << "</td>";
        if (size.suppressed) {
          html << "<td colspan=\"5\" class=\"muted\">withheld (small group)</td></tr>";
          continue;
        }
        auto figure = [](const std::optional<int64_t>& n) {
          return n ? Count(*n) : std::string("withheld");
        };
        html << "<td>" << Count(size.a) << "</td><td>" << Count(size.b) << "</td><td>"
             << (size.b >= size.a ? "+" : "") << Count(size.b - size.a) << "</td><td>"
             << figure(size.gained) << "</td><td>" << figure(size.lost) << "</td></tr>";
      }
      html << "</table>";
    }
  }
  html << "<p class=\"muted\">Written by segmenta. Groups under " << project.min_group_size
       << " customers are withheld.</p></main></body></html>\n";
  std::filesystem::path temp = file;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary);
    out << html.str();
    if (!out) return Status::IoError("cannot write " + temp.string());
  }
  std::error_code error;
  std::filesystem::rename(temp, file, error);
  if (error) return Status::IoError("cannot write " + file.string() + ": " + error.message());
  return Status::Ok();
}

}  // namespace segmenta
