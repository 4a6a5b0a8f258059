import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageCommand } from '../support/api-process';

/**
 * How each shipped way of running the API starts Node: the image's CMD is the reference (the
 * benchmark reads its flags too), and the chart, docker/scone/compose.yml and the CAS session
 * must start Node with the same flags, whatever path they give main.js (so do the tests of the
 * built process, ApiProcess). `make test-deploy` checks the image's CMD and the running
 * container's command line.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const yaml = (path: string) => load(read(path)) as Record<string, any>;

/** `node <flags> <…/dist/apps/api/main.js>` split into its flags, or a failure saying why not. */
function nodeFlags(argv: string[], where: string): string[] {
  if (argv[0] !== 'node' || !argv.at(-1)?.endsWith('dist/apps/api/main.js')) {
    throw new Error(`${where} does not run node <flags> dist/apps/api/main.js: ${argv.join(' ')}`);
  }
  return argv.slice(1, -1);
}

/** The API container's `command:` in the chart's Deployment (a JSON-style list in the template). */
const chartCommand = (): string[] => {
  const line = /^\s+command: (\[.*main\.js"\])$/m.exec(
    read('deploy/helm/templates/api-deployment.yaml'),
  );
  if (!line) throw new Error("the chart's API container has no command");
  return JSON.parse(line[1]) as string[];
};

/** Mebibytes of a Kubernetes memory quantity such as 1Gi or 512Mi. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

describe('how the API process is started', () => {
  const flags = nodeFlags(imageCommand(), 'docker/Dockerfile CMD');

  it('caps the V8 old generation in the image, so the heap does not grow with the machine', () => {
    expect(flags).toContain('--max-old-space-size=512');
  });

  it('starts Node with the image flags in the chart, the SCONE compose file and the CAS session', () => {
    const scone = yaml('docker/scone/compose.yml').services.api.command as string[];
    const session = (
      yaml('docker/scone/api-session.yml').services as Array<Record<string, any>>
    ).find((service) => service.name === 'api')?.command as string;
    expect(nodeFlags(chartCommand(), 'the chart')).toEqual(flags);
    expect(nodeFlags(scone, 'docker/scone/compose.yml')).toEqual(flags);
    expect(nodeFlags(session.split(' '), 'docker/scone/api-session.yml')).toEqual(flags);
  });

  it("keeps the heap cap at no more than half of the chart's memory limit", () => {
    const flag = flags.find((f) => f.startsWith('--max-old-space-size='));
    const cap = Number(flag?.split('=')[1]);
    const limit = yaml('deploy/helm/values.yaml').resources.limits.memory as string;
    expect(cap).toBeLessThanOrEqual(mebibytes(limit) / 2);
  });
});
