// PUT and GET over node:http. The echo server avoids fetch: loading undici costs ~12 MB of RSS per
// container, for a handful of small requests.
import { request, type IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  text: string;
  headers: IncomingHttpHeaders;
}

export function httpPut(url: string, body: string | undefined, timeoutMs: number): Promise<HttpResult> {
  return httpRequest('PUT', url, body, timeoutMs);
}

/** `signal` aborts it (a long poll that must end with the process). */
export function httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpResult> {
  return httpRequest('GET', url, undefined, timeoutMs, signal);
}

function httpRequest(method: string, url: string, body: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json' } : {};
    const req = request(url, { method, timeout: timeoutMs, headers, signal }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
