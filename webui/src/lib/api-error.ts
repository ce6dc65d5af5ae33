/** One entry of a problem document's `errors` list. */
export type FieldError = { field: string; message: string };

/** RFC 9457 problem details, as the gateway sends them. */
export type ProblemDetails = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
};

/** Every failed API call rejects with this, whatever went wrong. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[];

  constructor(status: number, problem: ProblemDetails = {}) {
    const title = problem.title ?? defaultTitle(status);
    super(problem.detail ?? title);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type ?? 'about:blank';
    this.title = title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
  }

  /** Messages keyed by field name; the first message wins when a field repeats. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { field, message } of this.errors) out[field] ??= message;
    return out;
  }

  /** True when the request never got an answer (offline, DNS, connection refused). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

function defaultTitle(status: number): string {
  if (status === 0) return 'Cannot reach the server';
  if (status === 401) return 'Not signed in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'The server could not complete the request';
  return 'Request failed';
}

function isFieldError(value: unknown): value is FieldError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.field === 'string' && typeof v.message === 'string';
}

/** Keeps only the members of a parsed body that have the documented types. */
export function toProblem(body: unknown): ProblemDetails {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const str = (key: string) => (typeof b[key] === 'string' ? (b[key] as string) : undefined);
  const problem: ProblemDetails = {};
  const type = str('type');
  const title = str('title');
  const detail = str('detail');
  const instance = str('instance');
  if (type !== undefined) problem.type = type;
  if (title !== undefined) problem.title = title;
  if (detail !== undefined) problem.detail = detail;
  if (instance !== undefined) problem.instance = instance;
  if (typeof b.status === 'number') problem.status = b.status;
  if (Array.isArray(b.errors)) problem.errors = b.errors.filter(isFieldError);
  return problem;
}

/**
 * Turns a failed response into an ApiError. Bodies that are not problem+json (a proxy's HTML
 * error page, say) still give an error with the HTTP status and a readable title.
 */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const contentType = response.headers.get('content-type') ?? '';
  let problem: ProblemDetails = {};
  if (contentType.includes('json')) {
    try {
      problem = toProblem(await response.json());
    } catch {
      problem = {};
    }
  }
  return new ApiError(response.status, problem);
}
