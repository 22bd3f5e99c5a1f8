// The one way the console talks to the server: the same /v2 API the clients use, with
// the tab's key. Failures become an ApiError that says in words what the API said.
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, problems, message) {
    super(message);
    this.status = status;
    this.problems = problems; // the Telnyx envelope's errors: [{code, title, detail, source}]
  }
}

// A request refused for the tab's API key (401) signs the tab out; main.js listens.
export const UNAUTHORIZED = "console:unauthorized";

export async function request(method, path, options = {}) {
  const { query, body, admin = false, token } = options;
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const credential = token ?? (admin ? session.adminToken() : session.apiKey());
  const headers = { Accept: "application/json" };
  if (credential) headers.Authorization = `Bearer ${credential}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, [], "Could not reach the server. Is number-orders serve running?");
  }
  const json = parseJson(await response.text());
  if (response.ok) return json ?? {};
  const problems = Array.isArray(json?.errors) ? json.errors : [];
  const reason = response.statusText ? ` ${response.statusText}` : "";
  const error = new ApiError(
    response.status,
    problems,
    `${method} ${url.pathname} answered ${response.status}${reason}.`,
  );
  if (response.status === 401 && !admin && token === undefined) {
    window.dispatchEvent(new CustomEvent(UNAUTHORIZED, { detail: error }));
  }
  throw error;
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const api = {
  get: (path, query, options = {}) => request("GET", path, { ...options, query }),
  post: (path, body, options = {}) => request("POST", path, { ...options, body }),
  patch: (path, body, options = {}) => request("PATCH", path, { ...options, body }),
  delete: (path, options = {}) => request("DELETE", path, options),
};

// One sentence per problem, e.g. "Resource not found (10005): The requested resource
// or URL could not be found." with where it was found when the API says so.
export function problemText(problem) {
  const where = problem.source?.parameter ?? problem.source?.pointer;
  const code = problem.code ? ` (${problem.code})` : "";
  const detail = problem.detail ? `: ${problem.detail}` : "";
  return `${problem.title ?? "Error"}${code}${detail}${where ? ` [${where}]` : ""}`;
}
