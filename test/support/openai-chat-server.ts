import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The one test double allowed: an OpenAI-compatible chat server on 127.0.0.1, driven through the
 * real `openai` client. Each request takes the next scripted step; a step is a reply (text and/or
 * tool calls, streamed when the client asks for a stream), an HTTP error, a stall, a dropped
 * connection, or a broken reply (a raw body, or hand-written stream events: see BROKEN_REPLIES).
 * Every request body is recorded for assertions.
 */
export type Step =
  | { reply: string }
  /** Several rounds' worth of text, then tool calls: the text streams first, as real servers do. */
  | { tools: { name: string; arguments: string | Record<string, unknown> }[]; text?: string }
  /** Any body at all, e.g. an HTML error page served with status 200. */
  | { raw: string; contentType: string; status?: number }
  /**
   * A hand-written event stream: a string is sent as the `data:` line verbatim (so it may be invalid
   * JSON); an object is a chunk whose id, object, created and model are filled in. `[DONE]` ends the
   * stream only when `done` is true, so a stream can stop half-way.
   */
  | { events: (string | { choices: unknown[] })[]; done: boolean }
  | { status: number; message?: string; headers?: Record<string, string> }
  | { stallMs: number }
  | { drop: true }
  | ((request: ChatRequest) => Step);

export interface ChatRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

export interface ChatServer {
  baseURL: string;
  requests: ChatRequest[];
  script: Step[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

let callCounter = 0;

function respond(res: ServerResponse, request: ChatRequest, step: { reply: string } | { tools: { name: string; arguments: string | Record<string, unknown> }[]; text?: string }): void {
  const id = `chatcmpl-${++callCounter}`;
  const text = 'reply' in step ? step.reply : (step.text ?? '');
  const toolCalls = 'tools' in step
    ? step.tools.map((t, index) => ({ index, id: `call_${callCounter}_${index}`, type: 'function' as const, function: { name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments) } }))
    : [];
  const finish = toolCalls.length ? 'tool_calls' : 'stop';
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id, object: 'chat.completion', created: 0, model: request.model,
      choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}) } }],
    }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: request.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`);
  send({ role: 'assistant', content: '' });
  // Text in a few pieces, tool-call arguments split in two, as real servers do.
  for (const piece of text.match(/.{1,12}/gs) ?? []) send({ content: piece });
  for (const call of toolCalls) {
    const half = Math.ceil(call.function.arguments.length / 2);
    send({ tool_calls: [{ index: call.index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments.slice(0, half) } }] });
    send({ tool_calls: [{ index: call.index, function: { arguments: call.function.arguments.slice(half) } }] });
  }
  send({}, finish);
  res.end('data: [DONE]\n\n');
}

export async function startChatServer(): Promise<ChatServer> {
  const state: { requests: ChatRequest[]; script: Step[] } = { requests: [], script: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: 'not found' } }));
      }
      const request = JSON.parse(await readBody(req)) as ChatRequest;
      request.stream = Boolean(request.stream);
      state.requests.push(request);
      let step: Step = state.script.shift() ?? { reply: 'The script has no more replies.' };
      while (typeof step === 'function') step = step(request);
      if ('drop' in step) return req.socket.destroy();
      if ('stallMs' in step) {
        await new Promise((r) => setTimeout(r, step.stallMs));
        if (!res.writableEnded && !req.socket.destroyed) respond(res, request, { reply: 'late' });
        return;
      }
      if ('raw' in step) {
        res.writeHead(step.status ?? 200, { 'content-type': step.contentType });
        return res.end(step.raw);
      }
      if ('events' in step) {
        const id = `chatcmpl-${++callCounter}`;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const event of step.events) {
          res.write(`data: ${typeof event === 'string' ? event : JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: request.model, ...event })}\n\n`);
        }
        return res.end(step.done ? 'data: [DONE]\n\n' : undefined);
      }
      if ('status' in step) {
        res.writeHead(step.status, { 'content-type': 'application/json', ...(step.headers ?? {}) });
        return res.end(JSON.stringify({ error: { message: step.message ?? `status ${step.status}`, type: 'test' } }));
      }
      respond(res, request, step);
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

const delta = (d: Record<string, unknown>, finishReason: string | null = null) => ({ choices: [{ index: 0, delta: d, finish_reason: finishReason }] });
const HTML_PAGE = '<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';

/**
 * Every kind of broken reply an OpenAI-compatible server (or a proxy in front of it) has been seen
 * to send, by name. Each starts with a little real text, so a test can see that a half-streamed
 * answer is not mistaken for a whole one.
 */
export const BROKEN_REPLIES = {
  'a 200 whose body is not JSON': { raw: 'OK', contentType: 'text/plain' },
  'an HTML page with status 200': { raw: HTML_PAGE.replace(/502 Bad Gateway/g, 'Please sign in'), contentType: 'text/html' },
  'an HTML error page (502)': { raw: HTML_PAGE, contentType: 'text/html', status: 502 },
  'a stream cut off half-way': { events: [delta({ role: 'assistant', content: '' }), delta({ content: 'Maria has two overdue' })], done: false },
  'a stream with an invalid chunk': { events: [delta({ role: 'assistant', content: 'Maria' }), '{"id":"x","choices":[{"delta":{"content":"has'], done: true },
  'a stream with empty choices': { events: [{ choices: [] }, { choices: [] }], done: true },
  'a stream that finishes for an unknown reason': { events: [delta({ role: 'assistant', content: 'Maria has' }), delta({}, 'banana')], done: true },
  'an answer cut off at the length limit': { events: [delta({ role: 'assistant', content: 'Maria has two' }), delta({}, 'length')], done: true },
  'a chunk of the wrong shape': { events: [delta({ role: 'assistant', content: 42 }), delta({}, 'stop')], done: true },
  'an empty answer': { events: [delta({ role: 'assistant', content: '' }), delta({}, 'stop')], done: true },
} satisfies Record<string, Step>;
export type BrokenReply = keyof typeof BROKEN_REPLIES;

/** A base URL where nothing listens: the "server down" case. */
export async function unusedBaseUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
