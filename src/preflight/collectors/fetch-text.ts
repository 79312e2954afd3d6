/**
 * A document a collector reads over HTTP, within `timeoutMs`: a server that hangs, refuses or answers
 * with an error is the world's doing, not a wrong input, and fails the collector (the fact is then
 * missing). `display` names it in the error.
 */
export async function fetchText(
  url: string,
  display: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new Error(
      `${display} ${timedOut ? `did not answer within ${timeoutMs} ms` : `could not be reached (${(err as Error).message})`}`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${display} answered HTTP ${res.status}`);
  return { status: res.status, text };
}
