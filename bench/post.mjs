// One POST of a pre-serialised JSON body over a keep-alive agent, resolving with the status code:
// the client side of the ingest benchmarks (bench/mock.bench.mjs, bench/sample-side.mjs), so that it
// costs almost nothing beside the server it measures.
import http from 'node:http';

export function post(agent, url, token, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
