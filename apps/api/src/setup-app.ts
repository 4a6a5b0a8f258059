import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { SwaggerModule } from '@nestjs/swagger';
import { auditContextOf } from './audit/audit-context';
import { AuditTrail } from './audit/audit-trail';
import { bodyParsing } from './common/http/body-parsing';
import { chain } from './common/http/chain';
import { requestIds } from './common/http/request-id';
import { AppConfig } from './config/app-config';
import { AppMetrics } from './metrics/app-metrics';
import { RequestLog } from './logging/request-log';
import { httpMetrics } from './metrics/http-metrics.middleware';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { surfaces } from './server/surfaces';

/**
 * What is Express's rather than Nest's: request ids, the request log, metrics, the audit trail,
 * helmet, CORS, body parsers, Swagger. Pipes, filters and guards are providers in AppModule.
 * Used by the server, the e2e tests and the spec writer alike.
 */
export async function setupApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.disable('x-powered-by');
  // Our ETag is the record revision; Express must not add its own weak ones.
  app.set('etag', false);
  // First, so that requests refused early have an id and their line, are timed and counted, and
  // are audited; one router layer for all of them.
  app.use(
    chain(
      requestIds(),
      // One line per request; an audited request's line is its audit line.
      app.get(RequestLog).middleware((req) => auditContextOf(req) !== undefined),
      httpMetrics(app.get(AppMetrics)),
      surfaces(config.http.operationsOnApiListener),
      app.get(AuditTrail).middleware(),
      helmet({
        // Swagger UI (/docs) needs its own scripts and inline styles; nothing else is served.
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'"],
            frameAncestors: ["'none'"],
          },
        },
      }),
    ),
  );
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-Request-Id'],
      exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  app.use(bodyParsing(config.http.bodyLimitBytes));
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
