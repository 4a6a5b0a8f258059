import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpResult } from './https-client';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type PathItem = Partial<Record<string, Operation>>;
interface Spec {
  paths: Record<string, PathItem>;
}

const SPEC_FILE = join(__dirname, '../../openapi/openapi.json');
const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks answers against the committed OpenAPI document: a documented operation must answer a
 * documented status, with a documented media type, and a body valid against its schema.
 * Requests to paths or methods the document does not have are left to the test that sent them.
 */
export class ContractValidator {
  private readonly spec: Spec;
  private readonly ajv: Ajv;
  private readonly routes: Array<{ template: string; pattern: RegExp }>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(specFile = SPEC_FILE) {
    this.spec = JSON.parse(readFileSync(specFile, 'utf8')) as Spec;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.spec, 'openapi');
    this.routes = Object.keys(this.spec.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** Throws, describing the mismatch, if the answer is not one the contract describes. */
  check(method: string, url: string, res: HttpResult): void {
    const path = new URL(url, 'https://x').pathname;
    const route = this.routes.find((r) => r.pattern.test(path));
    const verb = method.toLowerCase();
    const operation = route && this.spec.paths[route.template][verb];
    if (!route || !operation) return;
    const where = `${method} ${route.template} → ${res.status}`;
    const response = operation.responses[String(res.status)];
    if (!response)
      throw new Error(`${where}: the contract documents no ${res.status} for this operation`);
    if (!response.content) {
      if (res.text !== '')
        throw new Error(`${where}: the contract documents no body, got ${res.text.slice(0, 200)}`);
      return;
    }
    const mediaType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    if (!response.content[mediaType]) {
      throw new Error(
        `${where}: media type ${mediaType || '(none)'} is not documented (${Object.keys(response.content).join(', ')})`,
      );
    }
    if (!mediaType.endsWith('json')) return;
    const ref = `openapi#/paths/${pointer(route.template)}/${verb}/responses/${res.status}/content/${pointer(mediaType)}/schema`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (!validate(JSON.parse(res.text))) {
      throw new Error(
        `${where}: body does not match the contract: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`,
      );
    }
  }
}

let shared: ContractValidator | undefined;

/** One validator per test file (the spec is read and compiled once). */
export function contract(): ContractValidator {
  shared ??= new ContractValidator();
  return shared;
}
