import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The one test double allowed: an OpenAI-compatible chat server on 127.0.0.1, driven through the
 * real `openai` client. Each request takes the next scripted step; a step is a reply (text and/or
 * tool calls, streamed when the client asks for a stream), an HTTP error, a stall or a dropped
 * connection. Every request body is recorded for assertions.
 */
export type Step =
  | { reply: string }
  | { tools: { name: string; arguments: string | Record<string, unknown> }[]; text?: string }
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

function respond(res: ServerResponse, request: ChatRequest, step: Exclude<Step, ((r: ChatRequest) => Step) | { stallMs: number } | { drop: true } | { status: number }>): void {
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

/** A base URL where nothing listens: the "server down" case. */
export async function unusedBaseUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
