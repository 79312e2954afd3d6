/** Handlers return a Reply; the server writes it. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  body?: Buffer | string;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function send(res: ServerResponse, { status, headers, body }: Reply, headOnly = false): void {
  res.writeHead(status, { 'content-length': body === undefined ? 0 : Buffer.byteLength(body), ...headers });
  res.end(headOnly ? undefined : body);
}

export function json(status: number, body: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/** Headers every Azure Storage response carries. */
export function msHeaders(): Record<string, string> {
  return { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2023-11-03', date: new Date().toUTCString() };
}

const xmlEscape = (s: string): string =>
  s.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);

/** An Azure Storage error: XML body plus the x-ms-error-code header the SDK reads first. */
export function azureError(status: number, code: string, message: string, detail?: string): Reply {
  const headers: Record<string, string> = {
    ...msHeaders(),
    'content-type': 'application/xml',
    'x-ms-error-code': code,
  };
  const body =
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code>` +
    `<Message>${xmlEscape(message)}\nRequestId:${headers['x-ms-request-id']}\nTime:${new Date().toISOString()}</Message>` +
    (detail ? `<AuthenticationErrorDetail>${xmlEscape(detail)}</AuthenticationErrorDetail>` : '') +
    '</Error>';
  return { status, headers, body };
}
