#!/usr/bin/env node
// Runs the @nestjs/swagger CLI plugin over the API's sources and writes the metadata it derives
// from the DTOs (types, class-validator rules, doc comments) to apps/api/src/metadata.ts (or the
// file name given as the first argument, in the same folder: its imports are relative to it, so a
// copy for comparison must sit beside the real one). The document builder loads it, so the spec is
// generated from the code the same way in the server, the tests and the spec writer.
const path = require('node:path');
const {
  PluginMetadataGenerator,
} = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator');
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'apps/api/src');
const filename = process.argv[2] ?? 'metadata.ts';
if (filename.includes('/')) throw new Error('give a file name, not a path');

process.chdir(root);
new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: ['.dto.ts'],
      controllerFileNameSuffix: ['.controller.ts'],
      pathToSource: source,
    }),
  ],
  outputDir: source,
  filename,
  tsconfigPath: 'apps/api/tsconfig.app.json',
  watch: false,
  printDiagnostics: false,
});
