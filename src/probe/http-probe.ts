import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

/** Why no HTTP response came back. A response of any status is not an error: the caller judges it. */
export type ProbeErrorClass = 'dns' | 'refused' | 'tls' | 'timeout' | 'reset' | 'redirect-loop' | 'other';

export interface ProbeRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, connection to last body byte. */
  timeoutMs: number;
  /** Body bytes kept for the caller; the rest is read and dropped. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Redirects to follow (GET/HEAD semantics kept); 0 returns the 3xx itself. Default 0. */
  maxRedirects?: number;
}

export interface ProbeResult {
  url: string;
  status?: number;
  latencyMs: number;
  body?: string;
  headers?: IncomingHttpHeaders;
  redirects: number;
  error?: { class: ProbeErrorClass; message: string };
}

const TLS_CODES =
  /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export function classifyError(err: unknown): ProbeErrorClass {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'PROBE_TIMEOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (TLS_CODES.test(code)) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(String(err))) return 'reset';
  return 'other';
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no complete response within ${ms} ms`), { code: 'PROBE_TIMEOUT' });
}

interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function exchange(url: URL, req: ProbeRequest, deadline: number): Promise<Exchange> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const limit = req.maxBodyBytes ?? 65_536;
  return new Promise((resolve, reject) => {
    const left = Math.max(1, deadline - performance.now());
    const client = send(url, { method: req.method ?? 'GET', headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < limit) {
          chunks.push(chunk.subarray(0, limit - kept));
          kept += Math.min(chunk.length, limit - kept);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => client.destroy(timeoutError(req.timeoutMs)), left);
    client.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    client.end(req.body);
  });
}

/** One HTTP exchange with a hard deadline, its latency, and why it failed when no response came. */
export async function probe(req: ProbeRequest): Promise<ProbeResult> {
  const started = performance.now();
  const deadline = started + req.timeoutMs;
  const maxRedirects = req.maxRedirects ?? 0;
  const seen = new Set<string>();
  let url = new URL(req.url);
  let redirects = 0;
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    for (;;) {
      seen.add(url.href);
      const res = await exchange(url, req, deadline);
      const location = res.headers.location;
      if (res.status < 300 || res.status >= 400 || !location || redirects >= maxRedirects) {
        return {
          url: req.url,
          status: res.status,
          latencyMs: elapsed(),
          body: res.body,
          headers: res.headers,
          redirects,
        };
      }
      url = new URL(location, url);
      redirects++;
      if (seen.has(url.href)) {
        return {
          url: req.url,
          latencyMs: elapsed(),
          redirects,
          error: { class: 'redirect-loop', message: `redirect loop back to ${url.href}` },
        };
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { url: req.url, latencyMs: elapsed(), redirects, error: { class: classifyError(err), message } };
  }
}
