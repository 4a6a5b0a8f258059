// Test layers as Jest projects: `jest --selectProjects unit` runs one of them.
// ts-jest only transpiles (isolatedModules in tsconfig.json; the type check is
// `npm run typecheck`), which keeps the suites fast.
const moduleNameMapper = {
  '^@app/(attestation|secrets|storage|scoring)$': '<rootDir>/libs/$1/src',
  '^@app/(attestation|secrets|storage|scoring)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@test/support$': '<rootDir>/test/support',
  '^@test/support/(.*)$': '<rootDir>/test/support/$1',
  '^@patient-api/client$': '<rootDir>/openapi/client/src',
};

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper,
};

/** @type {import('jest').Config} */
module.exports = {
  // With every project in parallel workers, Jest's parent sometimes keeps a handle open after the
  // last suite (no suite holds one: `--detectOpenHandles` finds none); never hang CI on it.
  forceExit: true,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/libs/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-30s.js'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-60s.js'],
    },
    {
      ...base,
      displayName: 'ops',
      testMatch: ['<rootDir>/apps/**/*.ops-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-180s.js'],
    },
    {
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/apps/**/*.browser-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-180s.js'],
    },
  ],
};
