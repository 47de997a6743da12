// Performs HTTP requests for the UrlFetchApp fake in harness.mjs. The main thread posts
// {request, signal, port} and blocks in Atomics.wait on `signal`; this worker makes the request,
// posts {status, headers, rawHeaders, body} or {error: {code, message}} on `port` and wakes the
// main thread (rawHeaders keep the names as the server sent them, as Apps Script shows them).
// That makes UrlFetchApp.fetch a real, blocking HTTP call, like Apps Script's.
import http from 'node:http';
import https from 'node:https';
import { parentPort } from 'node:worker_threads';

function perform(request) {
  return new Promise((resolve) => {
    const target = new URL(request.url);
    const client = target.protocol === 'https:' ? https : http;
    const hasBody = request.body !== null && request.body !== undefined;
    const body = hasBody ? Buffer.from(String(request.body), 'utf8') : null;
    const headers = { ...(request.headers || {}) };
    if (body !== null) headers['Content-Length'] = String(body.length);
    const req = client.request(
      target,
      { method: request.method || 'GET', headers, agent: false, timeout: request.timeoutMs || 20000 },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => resolve({ error: { code: err.code || 'EUNKNOWN', message: err.message } }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => resolve({ error: { code: err.code || 'EUNKNOWN', message: err.message } }));
    if (body !== null) req.write(body);
    req.end();
  });
}

parentPort.on('message', async ({ request, signal, port }) => {
  let result;
  try {
    result = await perform(request);
  } catch (err) {
    result = { error: { code: 'EUNKNOWN', message: String(err && err.message ? err.message : err) } };
  }
  port.postMessage(result);
  port.close();
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
