// The JSON API under /v1 (docs/openapi.yaml), same origin, with the bearer token kept
// in sessionStorage. A 401 anywhere signs out and shows the sign-in page.
import type * as T from './types';

const TOKEN_KEY = 'segmenta.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let unauthorizedHandler: (error: ApiError) => void = () => {};

export function onUnauthorized(handler: (error: ApiError) => void): void {
  unauthorizedHandler = handler;
}

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: nothing to keep
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  token?: string; // overrides the stored token (sign-in)
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.token ?? getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    const error = await errorOf(response);
    // A rejected stored token signs out; a token being tried at sign-in does not.
    if (error.status === 401 && options.token === undefined) unauthorizedHandler(error);
    throw error;
  }
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = 'http_' + response.status;
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  let field: string | undefined;
  try {
    const body = (await response.json()) as Partial<T.ErrorBody>;
    if (body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      field = body.error.field;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message, field);
}

export async function request<R>(path: string, options: RequestOptions = {}): Promise<R> {
  const response = await send(path, options);
  return (await response.json()) as R;
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function segmentPath(segmentation: string, segment: string): string {
  return `/v1/segmentations/${enc(segmentation)}/segments/${enc(segment)}`;
}

export const api = {
  me: (token?: string, signal?: AbortSignal) => request<T.Token>('/v1/me', { token, signal }),
  overview: (signal?: AbortSignal) => request<T.Overview>('/v1/segmentations', { signal }),
  segmentation: (name: string, signal?: AbortSignal) =>
    request<T.SegmentationDetail>(`/v1/segmentations/${enc(name)}`, { signal }),
  grid: (name: string, signal?: AbortSignal) =>
    request<T.Grid>(`/v1/segmentations/${enc(name)}/grid`, { signal }),
  projection: (name: string, signal?: AbortSignal) =>
    request<T.Projection>(`/v1/segmentations/${enc(name)}/projection`, { signal }),
  segment: (segmentation: string, segment: string, signal?: AbortSignal) =>
    request<T.SegmentProfile>(segmentPath(segmentation, segment), { signal }),
  members: (segmentation: string, segment: string, offset: number, limit: number, signal?: AbortSignal) =>
    request<T.Members>(`${segmentPath(segmentation, segment)}/members?offset=${offset}&limit=${limit}`, {
      signal,
    }),
  customer: (id: string, signal?: AbortSignal) => request<T.Customer>(`/v1/customers/${enc(id)}`, { signal }),
  preview: (rule: string, signal?: AbortSignal) =>
    request<T.Preview>('/v1/preview', { method: 'POST', body: { rule }, signal }),
  snapshots: (signal?: AbortSignal) => request<T.Snapshots>('/v1/snapshots', { signal }),
  compare: (a: number, b: number, signal?: AbortSignal) =>
    request<T.Comparison>(`/v1/compare?a=${a}&b=${b}`, { signal }),
  experiments: (signal?: AbortSignal) => request<T.Experiments>('/v1/experiments', { signal }),
  experiment: (name: string, by: string | null, signal?: AbortSignal) =>
    request<T.ExperimentResults>(`/v1/experiments/${enc(name)}${by ? `?by=${enc(by)}` : ''}`, { signal }),
  createExperiment: (experiment: T.NewExperiment, signal?: AbortSignal) =>
    request<T.Experiment>('/v1/experiments', { method: 'POST', body: experiment, signal }),
  kpis: (segmentation: string, signal?: AbortSignal) =>
    request<T.Kpis>(`/v1/kpis?segmentation=${enc(segmentation)}`, { signal }),
};

// What an export saved: the file name, and the server's counts when it sent them.
export interface ExportResult {
  filename: string;
  customers: number | null;
  leftOutNoConsent: number | null;
}

function headerNumber(response: Response, name: string): number | null {
  const text = response.headers.get(name);
  if (text === null || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

// The file an audience is saved as: the name the server's Content-Disposition gives,
// else SEGMENTATION-SEGMENT.FORMAT or experiment-NAME-VARIANT.FORMAT made here.
export function exportFilename(request: T.ExportRequest, disposition?: string | null): string {
  const given = /filename="([^"/\\]+)"/.exec(disposition ?? '')?.[1];
  if (given) return given;
  const stem =
    'experiment' in request
      ? `experiment-${request.experiment}-${request.variant}`
      : `${request.segmentation}-${request.segment}`;
  return `${stem}.${request.format}`.replace(/[^\p{L}\p{N}._-]+/gu, '_');
}

// An audience file (POST /v1/exports): fetched with the token, saved through a Blob link.
export async function downloadExport(request: T.ExportRequest): Promise<ExportResult> {
  const response = await send('/v1/exports', { method: 'POST', body: request });
  const blob = await response.blob();
  const filename = exportFilename(request, response.headers.get('Content-Disposition'));
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return {
    filename,
    customers: headerNumber(response, 'X-Segmenta-Customers'),
    leftOutNoConsent: headerNumber(response, 'X-Segmenta-Left-Out-No-Consent'),
  };
}
