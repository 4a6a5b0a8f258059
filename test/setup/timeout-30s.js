// Jest reads testTimeout only globally; each project sets its own here.
jest.setTimeout(30_000);
