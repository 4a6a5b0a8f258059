import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { bodyParsing } from './common/http/body-parsing';
import { ProblemFilter } from './common/problem/problem.filter';
import { createValidationPipe } from './common/validation/validation-pipe';
import { AppConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi/openapi-document';

/**
 * The one place that applies pipes, filters, body parsers and Swagger; used by the server,
 * the e2e tests and the spec writer alike.
 */
export async function setupApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.disable('x-powered-by');
  // Our ETag is the record revision; Express must not add its own weak ones.
  app.set('etag', false);
  app.use(bodyParsing(config.http.bodyLimitBytes));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
