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
