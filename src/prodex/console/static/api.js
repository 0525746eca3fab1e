// The Product API client: the key lives in sessionStorage and travels only in the x-api-key header.

const KEY_STORAGE = "prodex.apiKey";

/** An API failure: the envelope's msg and code, the HTTP status and the request id. */
export class ApiError extends Error {
  constructor(msg, { code = null, status = 0, rid = null } = {}) {
    super(msg);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.rid = rid;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** Listeners told about the rate-limit headers of every answer: fn({limit, remaining, reset}). */
const rateListeners = new Set();
export function onRateLimit(listener) {
  rateListeners.add(listener);
}

function reportRateLimit(headers) {
  const limit = headers.get("x-ratelimit-limit");
  if (limit === null) return;
  const state = {
    limit: Number(limit),
    remaining: Number(headers.get("x-ratelimit-remaining")),
    reset: Number(headers.get("x-ratelimit-reset")),
  };
  for (const listener of rateListeners) listener(state);
}

/**
 * Call the API: returns the envelope's data, or throws ApiError with the API's msg.
 * `key` defaults to the stored key (sign-in passes the candidate key explicitly).
 */
export async function call(method, path, { body, key } = {}) {
  const apiKey = key ?? storedKey();
  const headers = { Accept: "application/json" };
  if (apiKey) headers["x-api-key"] = apiKey;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("The server could not be reached. Is prodex still running?");
  }
  reportRateLimit(response.headers);
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${response.status} without a JSON body.`, {
      status: response.status,
    });
  }
  if (!response.ok || envelope.code !== 0) {
    const retry = response.headers.get("retry-after");
    const suffix = retry ? ` (retry after ${retry} s)` : "";
    throw new ApiError((envelope.msg || `HTTP ${response.status}`) + suffix, {
      code: envelope.code,
      status: response.status,
      rid: envelope.rid,
    });
  }
  return envelope.data;
}

export const api = {
  whoami: (key) => call("GET", "/v2/user/whoami", { key }),
  quota: () => call("GET", "/v2/user/remaining_quota"),
  create: (url, render) => call("POST", "/v2/product", { body: { url, render } }),
  update: (fields) => call("PUT", "/v2/product", { body: fields }),
  get: (id) => call("GET", `/v2/product/${encodeURIComponent(id)}`),
  remove: (id) => call("DELETE", `/v2/product/${encodeURIComponent(id)}`),
  list: (page, pageSize) => call("GET", `/v2/products?page=${page}&page_size=${pageSize}`),
};
