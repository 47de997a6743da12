// A stand-in for the After-sales service, run in a worker thread so that it keeps answering
// while the main thread is blocked in a synchronous UrlFetchApp.fetch. The main thread drives it
// with messages (see startFakeService in harness.mjs): set canned answers, read what was received.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

let routes = new Map(); // "METHOD /path?query" -> {status, body, headers}
let received = [];

function keyOf(method, path) {
  return `${method.toUpperCase()} ${path}`;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({ method: req.method, path: req.url, headers: req.headers, body });
    const route = routes.get(keyOf(req.method, req.url)) || {
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
