/**
 * Reads a request body up to `maxBytes`: null (and the byte count so far, or the announced
 * Content-Length) as soon as it is larger, without buffering the rest.
 */
export async function readCappedBody(
  request: Request,
  maxBytes: number,
): Promise<{ body: Buffer | null; bytes: number }> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { body: null, bytes: declared };
  if (!request.body) return { body: Buffer.alloc(0), bytes: 0 };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => {});
      return { body: null, bytes };
    }
    chunks.push(value);
  }
  return { body: Buffer.concat(chunks), bytes };
}
