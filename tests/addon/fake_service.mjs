// A stand-in for the After-sales service, run in a worker thread so that it keeps answering
// while the main thread is blocked in a synchronous UrlFetchApp.fetch. The main thread drives it
// with messages (see startFakeService in harness.mjs): set canned answers, read what was received.
//
// With `expectSecret(secret)` it checks HMAC-signed requests as the service does (signature over
// METHOD \n path?query \n timestamp \n nonce \n body, nonce 16-64 of [A-Za-z0-9_-], a nonce
// seen before is a replay) and answers 401 instead of the canned answer when they fail.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let routes = new Map(); // "METHOD /path?query" -> {status, body, headers}
let received = [];
let secret = null;
let nonces = new Set();
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** Why a signed request is refused, or '' when it is accepted (or no secret is expected). */
function signatureProblem(req, body) {
  const signature = req.headers['x-aftersales-signature'];
  if (secret === null || signature === undefined) return '';
  const timestamp = req.headers['x-aftersales-timestamp'] || '';
  const nonce = req.headers['x-aftersales-nonce'] || '';
  if (!NONCE.test(nonce)) return 'X-Aftersales-Nonce must be 16-64 characters of A-Z a-z 0-9 _ -';
  const message = `${req.method}\n${req.url}\n${timestamp}\n${nonce}\n${body}`;
  const expected = Buffer.from(createHmac('sha256', secret).update(message, 'utf8').digest('hex'));
  const given = Buffer.from(String(signature).replace(/^sha256=/, ''));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'signature does not match';
  }
  if (nonces.has(nonce)) return 'signature replayed';
  nonces.add(nonce);
  return '';
}

function keyOf(method, path) {
  return `${method.toUpperCase()} ${path}`;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({ method: req.method, path: req.url, headers: req.headers, body });
    const problem = signatureProblem(req, body);
    const refused = problem ? { status: 401, body: { error: 'unauthenticated', detail: problem } } : null;
    const route = refused || routes.get(keyOf(req.method, req.url)) || {
      status: 404,
      body: { error: 'not_found', detail: `No route ${req.method} ${req.url} in the fake service.` },
    };
    const text = typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
    const type = typeof route.body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(route.status, { 'Content-Type': type, ...(route.headers || {}) });
    res.end(text);
  });
});

const ops = {
  route({ method, path, status, body, headers }) {
    routes.set(keyOf(method, path), { status, body, headers });
  },
  reset() {
    routes = new Map();
    received = [];
    secret = null;
    nonces = new Set();
  },
  expectSecret({ value }) {
    secret = value;
  },
  requests() {
    return received;
  },
  close() {
    return new Promise((resolve) => server.close(() => resolve()));
  },
};

parentPort.on('message', async ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, result: await ops[op](args || {}) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.stack ? err.stack : err) });
  }
});

server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ ready: server.address().port });
});
