// Calls to the HTTP API with the session cookie. An answer of 401 sends the
// page to sign-in; any other error is thrown with the server's code and
// message, for the page to show.
import { navigate } from './router.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401 && path !== '/api/session') {
    navigate('/signin?next=' + encodeURIComponent(location.pathname + location.search), { replace: true });
    throw new ApiError(401, 'unauthorized', 'Sign in first.');
  }
  const text = await res.text();
  if (res.status === 204) return null;
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    throw new ApiError(res.status, data?.code ?? 'http_' + res.status, data?.error ?? text ?? res.statusText);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
