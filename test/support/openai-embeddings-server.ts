import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/**
 * The one test double allowed: an OpenAI-compatible HTTP server on 127.0.0.1, driven through the
 * real `openai` client. Its embeddings are a deterministic bag of hashed words (texts sharing
 * words are close), and a test can script failures and malformed answers.
 */
export type Behaviour = 'ok' | 'error500' | 'rate-limit' | 'nan' | 'wrong-dimension' | 'malformed';

export interface FakeOpenAi {
  baseURL: string;
  requests: { model: string; inputs: string[]; auth: string | undefined }[];
  /** What the next requests get; each entry is used once, then `ok`. */
  script: Behaviour[];
  close(): Promise<void>;
}

export function hashedEmbedding(text: string, dims: number): number[] {
  const v: number[] = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = createHash('sha256').update(word).digest();
    for (let j = 0; j < 4; j += 1) {
      const at = (h[j] ?? 0) % dims;
      v[at] = (v[at] ?? 0) + ((h[j + 4] ?? 0) % 2 === 0 ? 1 : -1);
    }
  }
  if (!v.some((x) => x !== 0)) v[0] = 1;
  return v;
}

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startFakeOpenAi(options: { dims?: number } = {}): Promise<FakeOpenAi> {
  const dims = options.dims ?? 64;
  const state: Omit<FakeOpenAi, 'baseURL' | 'close'> = { requests: [], script: [] };
  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/embeddings')) return send(res, 404, { error: { message: 'not found' } });
      const parsed = JSON.parse(await body(req)) as { model: string; input: string | string[] };
      const inputs = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
      state.requests.push({ model: parsed.model, inputs, auth: req.headers.authorization });
      const behaviour = state.script.shift() ?? 'ok';
      if (behaviour === 'error500') return send(res, 500, { error: { message: 'the model crashed' } });
      if (behaviour === 'rate-limit') return send(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '10' });
      if (behaviour === 'malformed') return send(res, 200, { data: 'nope' });
      const data = inputs.map((text, index) => {
        let embedding = hashedEmbedding(text, dims);
        if (behaviour === 'wrong-dimension') embedding = embedding.slice(0, 7);
        // JSON has no NaN: a provider bug shows up as null or a string in the array.
        const broken: unknown[] = behaviour === 'nan' ? embedding.map((x, i) => (i === 3 ? null : x)) : embedding;
        return { object: 'embedding', index, embedding: broken };
      });
      send(res, 200, { object: 'list', model: parsed.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
