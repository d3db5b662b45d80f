// The KPI golden project (tests/golden/kpis/) as a ready workspace: copied into `dir`
// / "shop", ingested and run as of 2026-03-01 and 2026-03-31 (snapshots 1 and 2).
#ifndef SEGMENTA_TESTS_KPIS_GOLDEN_H_
#define SEGMENTA_TESTS_KPIS_GOLDEN_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "segmenta/ingest.h"
#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "segmenta/workspace.h"

namespace segmenta::testing {

inline std::filesystem::path KpiGoldenDir() {
  return std::filesystem::path(SEGMENTA_SOURCE_DIR) / "tests" / "golden" / "kpis";
}

// Call with ASSERT_NO_FATAL_FAILURE.
inline void MakeKpiGoldenWorkspace(const std::filesystem::path& dir, Project& project,
                                   std::unique_ptr<Workspace>& workspace) {
  std::filesystem::path shop = dir / "shop";
  std::filesystem::create_directories(shop);
  for (const char* file : {"segmenta.toml", "customers.csv", "events.csv", "spend.csv"}) {
    std::filesystem::copy_file(KpiGoldenDir() / file, shop / file);
  }
  Result<Project> loaded = LoadProject(shop);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  project = *loaded;
  Result<Workspace> ws = Workspace::Open(project.workspace);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  workspace = std::make_unique<Workspace>(std::move(*ws));
  Result<IngestReport> ingested = Ingest(project, *workspace, {});
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  ASSERT_EQ(ingested->quarantined(), 0);
  for (const char* as_of : {"2026-03-01", "2026-03-31"}) {
    RunOptions options;
    options.as_of = as_of;
    Result<RunReport> run = RunSegmentations(project, *workspace, options);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
  }
}

}  // namespace segmenta::testing

#endif  // SEGMENTA_TESTS_KPIS_GOLDEN_H_
