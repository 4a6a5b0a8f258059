// The smoke test of a running API: the original's three calls for a random patient —
// POST /patient/<id>, GET /patient/<id>, GET /score/<id> — each must answer 200, then the patient
// is erased again. The chart's `helm test` pod runs this file; so does `make test-deploy` against
// the compose stack. Plain Node (18 or later), no dependencies.
//
// Environment:
//   API_URL      base URL, e.g. https://api:4996; its host name is the one the certificate is for
//   API_CONNECT  host:port to connect to instead of the URL's (like curl --connect-to): a Service
//                name whose certificate is issued for `api`
//   CA_FILE      the CA that issued the API's certificate (the certificate is always verified)
//   TOKEN_FILE   file holding a bearer token, or TOKEN the token itself; none when auth is off
//   PATIENT_ID   default smoke-<random hex>
'use strict';
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const https = require('node:https');

// The original README's request body, as curl -d sends it.
const SEED_FORM_BODY =
  "fname=Jane&lname=Doe&address='123 Main Street'&city=Richmond&state=Washington&ssn=123-223-2345&email=nr@aaa.com&dob=01/01/2010&contactphone=123-234-3456&drugallergies='Sulpha, Penicillin, Tree Nut'&preexistingconditions='diabetes, hypertension, asthma'&dateadmitted=01/05/2010&insurancedetails='Primera Blue Cross'";

function fail(message) {
  console.error(`smoke-test: FAILED: ${message}`);
  process.exit(1);
}

function settings(env) {
  if (!env.API_URL) fail('API_URL is not set');
  if (!env.CA_FILE) fail('CA_FILE is not set (the API certificate is always verified)');
  const url = new URL(env.API_URL);
  let connect = null;
  if (env.API_CONNECT) {
    const match = /^(.+):(\d+)$/.exec(env.API_CONNECT);
    if (!match) fail('API_CONNECT must be host:port');
    connect = { host: match[1], port: Number(match[2]) };
  }
  let token = env.TOKEN || '';
  if (env.TOKEN_FILE) token = readFileSync(env.TOKEN_FILE, 'utf8').trim();
  return {
    url,
    connect,
    ca: readFileSync(env.CA_FILE, 'utf8'),
    token,
    patientId: env.PATIENT_ID || `smoke-${randomBytes(6).toString('hex')}`,
  };
}

function call(config, method, path, body) {
  const headers = { accept: 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  const options = {
    method,
    host: config.connect ? config.connect.host : config.url.hostname,
    port: config.connect ? config.connect.port : Number(config.url.port || 443),
    path,
    headers: { ...headers, host: config.url.host },
    ca: config.ca,
    // The certificate is checked against the URL's host name, wherever the socket goes.
    servername: config.url.hostname,
    timeout: 10000,
  };
  return new Promise((resolve, reject) => {
    const request = https.request(options, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}

function parse(answer, what) {
  try {
    return JSON.parse(answer.text);
  } catch {
    return fail(`${what}: the answer is not JSON`);
  }
}

/** 200 with a JSON body for this patient, or the test fails naming the call and the problem. */
function expectOk(config, answer, what, id) {
  if (answer.status !== 200) {
    // A problem+json answer has a title and detail, never a record: safe to print.
    let reason = '';
    try {
      const problem = JSON.parse(answer.text);
      reason = [problem.title, problem.detail].filter(Boolean).join(': ');
    } catch {
      reason = 'not problem+json';
    }
    const hint =
      answer.status === 401 && !config.token ? '; auth is on: give TOKEN_FILE or TOKEN' : '';
    fail(`${what} answered ${answer.status} (${reason}), expected 200${hint}`);
  }
  const json = parse(answer, what);
  if (json.id !== id) fail(`${what}: the answer is for id ${String(json.id)}, not ${id}`);
  if (typeof json.score !== 'number') fail(`${what}: the answer has no numeric score`);
  console.log(`smoke-test: ${what} -> 200`);
  return json;
}

async function main() {
  const config = settings(process.env);
  const id = config.patientId;
  const path = encodeURIComponent(id);
  console.log(
    `smoke-test: ${config.url.origin}${config.connect ? ` via ${config.connect.host}:${config.connect.port}` : ''}, patient ${id}, ${config.token ? 'with' : 'without'} a token`,
  );

  expectOk(
    config,
    await call(config, 'POST', `/patient/${path}`, SEED_FORM_BODY),
    `POST /patient/${id}`,
    id,
  );
  expectOk(config, await call(config, 'GET', `/patient/${path}`), `GET /patient/${id}`, id);
  expectOk(config, await call(config, 'GET', `/score/${path}`), `GET /score/${id}`, id);

  // Leave no test patient behind. Not one of the original's calls, so it only warns.
  const erased = await call(config, 'DELETE', `/patient/${path}`);
  if (erased.status === 204) console.log(`smoke-test: DELETE /patient/${id} -> 204`);
  else console.log(`smoke-test: note: could not erase ${id} (DELETE answered ${erased.status})`);
  console.log('smoke-test: passed');
}

main().catch((error) => fail(error.message));
