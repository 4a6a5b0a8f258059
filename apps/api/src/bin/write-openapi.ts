import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { buildOpenApiDocument } from '../openapi/openapi-document';
import { writeSpec } from '../openapi/write-spec';

/**
 * `make openapi`: builds the application without listening and without Redis (memory storage,
 * throwaway dev secrets), writes openapi/openapi.{json,yaml} (or into the folder given), exits.
 */
async function main(): Promise<void> {
  const outDir = process.argv[2] ?? 'openapi';
  const stateDir = await mkdtemp(join(tmpdir(), 'write-openapi-'));
  try {
    const config = loadConfig({
      STORAGE_DRIVER: 'memory',
      DEV_STATE_DIR: stateDir,
      LOG_LEVEL: 'silent',
    });
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      logger: false,
      bodyParser: false,
    });
    await writeSpec(await buildOpenApiDocument(app), outDir);
    await app.close();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`write-openapi failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
