import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };

/** The shapes the API answers, by name. */
export type Patient = components['schemas']['PatientDto'];
export type PatientFields = components['schemas']['PatientFieldsDto'];
export type PatientPage = components['schemas']['PatientPageDto'];
export type Score = components['schemas']['ScoreDto'];
export type Problem = components['schemas']['ProblemDto'];

export interface PatientApiClientOptions extends ClientOptions {
  /** A bearer token (JWT) with the scopes the calls need; or a function giving a fresh one. */
  token?: string | (() => string | Promise<string>);
}

export type PatientApiClient = Client<paths>;

/**
 * A client for every operation of the contract, typed from the OpenAPI document:
 * `client.GET('/patient/{id}', { params: { path: { id } } })` answers `{ data, error, response }`.
 */
export function createPatientApiClient(options: PatientApiClientOptions): PatientApiClient {
  const { token, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (token !== undefined) {
    const auth: Middleware = {
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}
