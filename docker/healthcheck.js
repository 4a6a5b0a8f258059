// HEALTHCHECK of the API image: exits 0 when GET /health/live on this container answers 200.
// No dependencies, so it runs with the production image as it is.
//
// It does not verify the server's certificate, on purpose: it talks to its own container over
// loopback, sends nothing secret and believes nothing but the status code, and the CA that would
// verify it is not always in the container (under SCONE, CAS injects the secrets into the
// enclave only). Verification would add failure modes without protecting anything.
'use strict';
const https = require('node:https');

const port = Number(process.env.PORT || 4996);
const request = https.get(
  { host: '127.0.0.1', port, path: '/health/live', rejectUnauthorized: false, timeout: 4000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  console.error(`healthcheck: ${error.message}`);
  process.exit(1);
});
