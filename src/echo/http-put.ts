// PUT and GET over node:http. The echo server avoids fetch: loading undici costs ~12 MB of RSS per
// container, for a handful of small requests.
import { request } from 'node:http';

export function httpPut(url: string, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  return httpRequest('PUT', url, body, timeoutMs);
}

export function httpGet(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return httpRequest('GET', url, undefined, timeoutMs);
}

function httpRequest(method: string, url: string, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: timeoutMs, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
