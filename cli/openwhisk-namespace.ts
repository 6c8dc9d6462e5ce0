// Whose key is this: `GET /api/v1/namespaces` on the API host, which authenticates the key and
// answers with the namespaces it may use (what `wsk namespace list` does).
export type NamespaceAnswer =
  | { ok: true; namespace: string }
  | { ok: false; refused: true; status: number }
  | { ok: false; refused: false; reason: string };

export async function namespaceOfKey(apihost: URL, auth: string, timeoutMs = 10_000): Promise<NamespaceAnswer> {
  const url = new URL('api/v1/namespaces', apihost.href.endsWith('/') ? apihost.href : `${apihost.href}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // fetch says only "fetch failed"; what failed is in its cause (ECONNREFUSED, "bad port", …)
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    return { ok: false, refused: false, reason: e.cause?.code ?? e.cause?.message ?? (e.name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : (e.message ?? String(err))) };
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    return { ok: false, refused: true, status: res.status };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.ok && Array.isArray(body) && typeof body[0] === 'string' && body[0] !== '') return { ok: true, namespace: body[0] };
  return { ok: false, refused: false, reason: `HTTP ${res.status} without a namespace list` };
}
