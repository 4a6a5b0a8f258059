import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import metadata from '../metadata';

const DESCRIPTION = `Patient records and a clinical risk score per patient, over HTTPS only.

The service runs inside an SGX enclave (SCONE); its secrets come from SCONE CAS, which releases
them only to an attested enclave. Records are encrypted (AES-256-GCM) before they reach Redis.

**Authentication**: every call except health, metrics and attestation needs
\`Authorization: Bearer <JWT>\` with the scope the call names (\`patients:read\`,
\`patients:write\`, \`patients:delete\`, \`scores:read\`). \`make start\` prints a token with every
scope.

**Errors** are RFC 9457 \`application/problem+json\` documents; a 400 lists each invalid field.

**Compatibility**: \`POST /patient/{id}\`, \`GET /patient/{id}\` and \`GET /score/{id}\` keep the
original Flask service's paths and payloads; an existing id now answers 409 (it was 403).`;

/**
 * Builds the OpenAPI document from the controllers and DTOs. The one builder for both the running
 * server (/openapi.json, /docs) and the spec writer (make openapi), so they cannot differ.
 * `metadata.ts` is what the @nestjs/swagger CLI plugin reads from the DTOs (tools/).
 */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.0.3')
    .setTitle('Confidential patient-records API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    .setLicense('Proprietary', 'https://localhost:4996/docs')
    // Relative: the server the document was fetched from (https://localhost:4996 for make start).
    .addServer('/', 'This server')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token (JWT) with the scopes the call needs' },
      'bearer',
    )
    .addTag('patients', 'Create, read, replace, erase and list patient records')
    .addTag('scores', 'The clinical risk score of a patient, with its explanation')
    .addTag('attestation', 'Evidence of the enclave this service runs in')
    .addTag('health', 'Liveness and readiness, for load balancers and orchestrators')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
  for (const operation of operations(document)) {
    // Operations without a security requirement are the @Public() ones (health, metrics,
    // attestation): say so explicitly rather than leave it unstated.
    operation.security ??= [];
    splitSummary(operation);
  }
  return document;
}

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

function operations(document: OpenAPIObject): Operation[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
  return Object.values(document.paths).flatMap((item) =>
    methods.map((method) => item[method]).filter((op): op is Operation => op !== undefined),
  );
}

/**
 * The swagger plugin puts a method's whole doc comment in `summary`. Its first paragraph (or
 * sentence) is the summary; the whole text, reflowed, is the description.
 */
function splitSummary(operation: Operation): void {
  const text = operation.summary;
  if (!text || operation.description) return;
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim());
  const [first, ...rest] = paragraphs;
  if (rest.length > 0) {
    operation.summary = first;
    operation.description = rest.join('\n\n');
  } else {
    operation.summary = first.split(/(?<=[.:])\s/)[0].replace(/[.:]$/, '');
    operation.description = first;
  }
}

