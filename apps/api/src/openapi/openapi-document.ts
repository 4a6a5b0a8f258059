import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import metadata from '../metadata';

/**
 * Builds the OpenAPI document from the controllers and DTOs. The one builder for both the running
 * server (/openapi.json, /docs) and the spec writer (make openapi), so they cannot differ.
 * `metadata.ts` is what the @nestjs/swagger CLI plugin reads from the DTOs (tools/).
 */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const config = new DocumentBuilder()
    .setTitle('Confidential patient-records API')
    .setDescription(
      'Patient records and a clinical risk score per patient, served from an attested enclave. ' +
        'Records are encrypted before they reach Redis.',
    )
    .setVersion('1.0.0')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
}
