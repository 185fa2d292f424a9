// The lab guide's load test: ramp up to 20 users in 30 s, hold 50 users for 1 min, ramp down
// in 30 s. Each user alternates reads and writes like the guide's traffic (3 reads : 1 write)
// and checks for status 200. The run fails (non-zero exit) when a threshold is crossed.
//   docker compose --profile load run --rm k6
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 infra/k6/load-test.js
import { check, sleep } from 'k6'
import http from 'k6/http'

const TARGET_URL = __ENV.TARGET_URL || 'http://127.0.0.1:8080'

export const options = {
  stages: [
    { duration: '30s', target: 20 },
    { duration: '1m', target: 50 },
    { duration: '30s', target: 0 },
  ],
  thresholds: {
    // The fast replicas answer in ~5 ms and the writer in ~50 ms; 500 ms at p95 leaves room
    // for app_slow's 0.5-core limit saturating at 50 users without hiding a real regression.
    http_req_duration: ['p(95)<500'],
    'http_req_duration{endpoint:read}': ['p(95)<200'],
    // Under 1 % failed requests (nginx retries the other replica, so reads should not fail).
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
}

export default function () {
  for (let i = 0; i < 3; i++) {
    const read = http.get(`${TARGET_URL}/read`, { tags: { endpoint: 'read' } })
    check(read, { 'read status is 200': (r) => r.status === 200 })
  }
  const write = http.post(`${TARGET_URL}/write`, JSON.stringify({ value: `k6-${__VU}-${__ITER}` }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { endpoint: 'write' },
  })
  check(write, { 'write status is 200': (r) => r.status === 200 })
  // Think time: 50 users at ~4 requests per 0.5 s is a load the stack can carry, not a flood.
  sleep(0.5)
}
