import { createPatientApiClient, type PatientApiClient } from '@patient-api/client';
import { Agent, fetch as tlsFetch } from 'undici';
import { contract } from './contract';
import type { HttpResult } from './https-client';

/**
 * The generated typed client (openapi/client) pointed at a test API: it trusts the dev CA, and
 * every answer is also checked against the contract.
 */
export function typedClient(
  baseUrl: string,
  ca: string,
  token?: string,
): { client: PatientApiClient; close(): Promise<void> } {
  const dispatcher = new Agent({ connect: { ca } });
  const validator = contract();
  const client = createPatientApiClient({
    baseUrl,
    token,
    fetch: async (request: Request) => {
      const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
      const res = await tlsFetch(request.url, {
        method: request.method,
        headers: [...request.headers.entries()],
        body,
        dispatcher,
      });
      const text = await res.text();
      const result: HttpResult = {
        status: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        text,
        json: () => JSON.parse(text),
      };
      validator.check(request.method, request.url, result);
      return new Response(res.status === 204 ? null : text, {
        status: res.status,
        headers: [...res.headers.entries()],
      });
    },
  });
  return { client, close: () => dispatcher.close() };
}
