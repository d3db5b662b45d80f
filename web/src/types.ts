// The API's shapes, as docs/openapi.yaml writes them.

export type Role = 'admin' | 'analyst' | 'viewer';

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export interface Token {
  token_id: string;
  role: Role;
  name: string;
  created_at: string;
  expires_at?: string | null;
  revoked_at?: string | null;
}

export interface Snapshot {
  snapshot_id: number;
  created_at: string;
  as_of: string;
}

export interface SegmentSize {
  segment: string;
  suppressed: boolean;
  customers?: number;
  share?: number;
  revenue?: number;
}

export interface Warning {
  segmentation: string;
  segment: string;
  check: string;
  message: string;
}

export interface SegmentationSizes {
  name: string;
  method: string;
  segments: SegmentSize[];
}

export interface Overview {
  snapshot: Snapshot;
  customers: number;
  seconds?: number;
  segmentations: SegmentationSizes[];
  health: Warning[];
}

export interface SegmentationDetail extends SegmentationSizes {
  model: Record<string, unknown>;
}

export interface GridCell {
  r: number;
  f: number;
  segment: string;
  customers?: number;
  suppressed: boolean;
}

export interface Grid {
  bins: number;
  cells: GridCell[];
}

export interface Projection {
  points: number[][]; // [x, y, cluster]
  centroids: number[][]; // [x, y] or [x, y, cluster]
  clusters: Array<{ id: number; segment: string }>;
}

export interface NumberSummary {
  mean?: number | null;
  median?: number | null;
  p10?: number | null;
  p90?: number | null;
  base_mean?: number | null;
  base_median?: number | null;
}

export interface Profile {
  segment?: string;
  name?: string;
  description?: string;
  customers?: number;
  base_customers?: number;
  share?: number;
  revenue?: number;
  revenue_share?: number;
  numbers?: Record<string, NumberSummary>;
  top_categories?: Array<{ category: string; share?: number; lift?: number }>;
  distinguishing?: Array<{ feature: string; difference: number }>;
  play?: { name?: string; why?: string } | string;
  [key: string]: unknown;
}

export interface SegmentProfile {
  segmentation: string;
  segment: string;
  suppressed: boolean;
  profile?: Profile;
}

export interface Members {
  segmentation: string;
  segment: string;
  at?: string | null;
  total: number;
  offset: number;
  limit: number;
  customers: string[];
}

export interface Customer {
  customer_id: string;
  snapshot_id: number;
  as_of: string;
  features: Record<string, string>;
  segmentations: Array<{
    segmentation: string;
    method: string;
    segments: string[];
    reasons: string[];
  }>;
}

export interface Preview {
  rule: string;
  customers?: number;
  base: number;
  suppressed: boolean;
  sample: string[];
  milliseconds: number;
}

export interface Snapshots {
  snapshots: Snapshot[];
}

export interface Migration {
  from: string;
  to: string;
  suppressed: boolean;
  customers?: number;
  revenue?: number;
}

export interface SizeDrift {
  segment: string;
  suppressed: boolean;
  a?: number;
  b?: number;
  gained?: number | null;
  lost?: number | null;
}

export interface Comparison {
  a: Snapshot;
  b: Snapshot;
  segmentations: Array<{ segmentation: string; migrations: Migration[]; sizes: SizeDrift[] }>;
}

// ---- experiments ---------------------------------------------------------------------

export interface Variant {
  name: string;
  weight: number;
}

export interface Experiment {
  name: string;
  segmentation: string;
  segment: string;
  variants: Variant[];
  holdout: number;
  goal: string;
  start?: string | null;
  created_at?: string;
  customers?: number | null;
  window_days?: number;
}

export interface Experiments {
  experiments: Experiment[];
}

export interface NewExperiment {
  name: string;
  segmentation: string;
  segment: string;
  variants: Variant[];
  holdout: number;
  goal: string;
  start?: string;
}

export type Verdict = 'better' | 'worse' | 'no_difference';

export interface VsHoldout {
  difference: number;
  ci_low: number;
  ci_high: number;
  relative_lift?: number | null;
  z?: number | null;
  p_value: number;
  revenue_difference?: number | null;
  revenue_ci_low?: number | null;
  revenue_ci_high?: number | null;
  verdict: Verdict;
  summary?: string;
}

export interface Arm {
  variant: string;
  suppressed: boolean;
  customers?: number | null;
  conversions?: number | null;
  conversion_rate?: number | null;
  revenue_per_customer?: number | null;
  vs_holdout: VsHoldout | null;
}

// A warning is a sentence from the server; an object carries it in `message`.
export type ServerWarning = string | { message?: string; code?: string; [key: string]: unknown };

export interface ExperimentResults {
  experiment: Experiment;
  window_ends?: string | null;
  provisional: boolean;
  planned_per_arm?: number | null;
  arms: Arm[];
  warnings: ServerWarning[];
  by: Array<{ segment: string; suppressed?: boolean; arms: Arm[] }> | null;
}

// ---- KPIs ------------------------------------------------------------------------------

export interface SegmentKpis {
  segment: string;
  suppressed: boolean;
  customers?: number | null;
  revenue?: number | null;
  orders?: number | null;
  aov?: number | null;
  repeat_rate?: number | null;
  retention_rate?: number | null;
  churn_rate?: number | null;
  conversion_rate?: number | null;
  clv?: number | null;
  nps?: number | null;
  nps_responses?: number | null;
  csat?: number | null;
  csat_responses?: number | null;
  spend?: number | null;
  new_customers?: number | null;
  cac?: number | null;
  campaign_revenue?: number | null;
  roi?: number | null;
}

export interface KpiSnapshot {
  snapshot_id: number;
  as_of: string;
  segments: SegmentKpis[];
}

// One campaign over the latest snapshot's window: its spend, and the purchases naming it.
export interface CampaignKpis {
  campaign: string;
  channel: string;
  spend: number;
  suppressed: boolean;
  revenue?: number | null;
  buyers?: number | null;
  roi?: number | null;
}

export interface Kpis {
  period_days: number;
  segmentations: Array<{ segmentation: string; snapshots: KpiSnapshot[] }>;
  campaigns?: { snapshot_id: number; as_of: string; campaigns: CampaignKpis[] } | null;
}

// ---- exports ---------------------------------------------------------------------------

export type ExportFormat = 'csv' | 'jsonl' | 'parquet';

// Who is exported: a segment of the latest snapshot, or one variant of an experiment.
export type Audience = { segmentation: string; segment: string } | { experiment: string; variant: string };

export type ExportRequest = Audience & {
  format: ExportFormat;
  columns?: string[];
  hash_pii: boolean;
  include_no_consent: boolean;
};
