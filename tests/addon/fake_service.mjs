// A stand-in for the After-sales service, run in a worker thread so that it keeps answering
// while the main thread is blocked in a synchronous UrlFetchApp.fetch. The main thread drives it
// with messages (see startFakeService in harness.mjs): set canned answers, read what was received.
// A request can have several answers, given in turn (the last one repeats), e.g. a run that is
// running, then running further, then done; an answer's `tookMs` is how long (virtual ms) the
// service takes to give it, sent in the x-fake-service-time-ms header for the UrlFetchApp fake.
//
// With `expectSecret(secret)` it checks HMAC-signed requests as the service does (signature over
// METHOD \n path?query \n timestamp \n nonce \n body, nonce 16-64 of [A-Za-z0-9_-], a nonce
// seen before is a replay) and answers 401 instead of the canned answer when they fail.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let routes = new Map(); // "METHOD /path?query" -> {answers: [{status, body, headers, tookMs}], given}
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
    const route = refused || nextAnswer(routes.get(keyOf(req.method, req.url))) || {
      status: 404,
      body: { error: 'not_found', detail: `No route ${req.method} ${req.url} in the fake service.` },
    };
    const text = typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
    const type = typeof route.body === 'string' ? 'text/plain' : 'application/json';
    const took = route.tookMs ? { 'X-Fake-Service-Time-Ms': String(route.tookMs) } : {};
    res.writeHead(route.status, { 'Content-Type': type, ...(route.headers || {}), ...took });
    res.end(text);
  });
});

/** The answer a route gives now: its answers in turn, the last one again and again. */
function nextAnswer(route) {
  if (!route) return null;
  const answer = route.answers[Math.min(route.given, route.answers.length - 1)];
  route.given += 1;
  return answer;
}

const ops = {
  answers({ method, path, answers }) {
    if (!Array.isArray(answers) || answers.length === 0) throw new Error('answers: give at least one');
    routes.set(keyOf(method, path), { answers, given: 0 });
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
