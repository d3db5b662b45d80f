// The "KPIs" section of the HTML report: per segmentation, the latest snapshot's KPIs
// (segments under privacy.min_group_size withheld) and each segment's revenue over the
// snapshots as a small inline-SVG line.
#ifndef SEGMENTA_SEGMENT_KPI_REPORT_H_
#define SEGMENTA_SEGMENT_KPI_REPORT_H_

#include <string>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta::segment {

// The section's HTML ("" when no snapshot holds a segmentation).
Result<std::string> KpiReportSection(const Project& project, Workspace& workspace);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_KPI_REPORT_H_
