// Nest CLI webpack hook: besides the API (main.js) it bundles the command-line entry points,
// so the production image runs every one of them with `node dist/apps/api/<name>.js`.
// API_DIST_DIR builds elsewhere (tests that need a private build of their own).
const path = require('path');

const extraEntries = {
  'write-openapi': './apps/api/src/bin/write-openapi.ts',
  'dev-token': './apps/api/src/bin/dev-token.ts',
  'keys-rotate': './apps/api/src/bin/keys-rotate.ts',
  'tenants-migrate': './apps/api/src/bin/tenants-migrate.ts',
  'audit-verify': './apps/api/src/bin/audit-verify.ts',
  'make-secrets': './apps/api/src/bin/make-secrets.ts',
  'cas-ca': './apps/api/src/bin/cas-ca.ts',
};

module.exports = (options) => {
  const entries = { main: options.entry };
  for (const [name, file] of Object.entries(extraEntries)) {
    entries[name] = path.resolve(__dirname, file);
  }
  return {
    ...options,
    entry: entries,
    output: {
      ...options.output,
      path: path.resolve(__dirname, process.env.API_DIST_DIR || 'dist/apps/api'),
      filename: '[name].js',
    },
  };
};
