import { load } from 'js-yaml';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  envDtoVariables,
  includeSites,
  missingValuePaths,
  namedTemplates,
  readTemplates,
  unreadValuePaths,
  type TemplateFile,
} from './chart-source';

/**
 * The Helm chart, checked without helm (no helm binary on these machines): its YAML parses, every
 * `.Values` path a template reads exists in values.yaml (the original read `scone.flask_session`
 * where values.yaml had `scone.api_session`), selectors match pod labels, and the test pod is a
 * helm test. `make test-deploy` runs the test pod's script against a real stack.
 */
const root = join(__dirname, '..', '..');
const chart = join(root, 'deploy', 'helm');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const values = load(read('deploy/helm/values.yaml')) as Record<string, any>;
const templates = readTemplates(chart);
const template = (name: string): string => {
  const found = templates.find((file) => file.name === name);
  if (!found) throw new Error(`no template ${name}`);
  return found.text;
};
const sitesOf = (name: string, kind: string) =>
  includeSites(template(name)).filter((site) => site.kind === kind);
const includedAt = (name: string, kind: string, path: string): string[] =>
  sitesOf(name, kind)
    .filter((site) => site.path === path)
    .map((site) => site.template);

describe('Helm chart deploy/helm', () => {
  it('has a Chart.yaml for Helm 3 and values.yaml that parse', () => {
    const meta = load(read('deploy/helm/Chart.yaml')) as Record<string, unknown>;
    expect(meta).toMatchObject({ apiVersion: 'v2', name: 'patient-api', type: 'application' });
    expect(String(meta.version)).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof values).toBe('object');
  });

  it('defines in values.yaml every .Values path a template reads', () => {
    expect(templates.length).toBeGreaterThan(5);
    expect(missingValuePaths(templates, values)).toEqual([]);
  });

  it('flags the original chart bug: a template reading a value values.yaml does not define', () => {
    const original: TemplateFile[] = [
      {
        name: 'api.yaml',
        text: 'value: {{ .Values.scone.flask_session }} {{ .Values.scone.cas }}',
      },
    ];
    const originalValues = { scone: { api_session: 'x', cas: 'y' } };
    expect(missingValuePaths(original, originalValues)).toEqual(['scone.flask_session (api.yaml)']);
  });

  it('reads every value it defines (no dead settings in values.yaml)', () => {
    expect(unreadValuePaths(templates, values)).toEqual([]);
  });

  it('gives every object the standard labels', () => {
    for (const file of templates.filter((f) => f.name.endsWith('.yaml'))) {
      const kinds = [...file.text.matchAll(/^kind: (\w+)/gm)].map((m) => m[1]);
      const labelled = includeSites(file.text).filter(
        (site) => site.path === 'metadata.labels' && site.template === 'patient-api.labels',
      );
      expect({ file: file.name, labelled: labelled.map((s) => s.kind) }).toEqual({
        file: file.name,
        labelled: kinds,
      });
    }
  });

  it("selects the API's pods with the labels the pods carry, from Service, PDB and HPA", () => {
    const selector = includedAt('api-deployment.yaml', 'Deployment', 'spec.selector.matchLabels');
    expect(selector).toEqual(['patient-api.selectorLabels']);
    expect(
      includedAt('api-deployment.yaml', 'Deployment', 'spec.template.metadata.labels'),
    ).toEqual(selector);
    expect(includedAt('api-service.yaml', 'Service', 'spec.selector')).toEqual(selector);
    expect(includedAt('pdb.yaml', 'PodDisruptionBudget', 'spec.selector.matchLabels')).toEqual(
      selector,
    );
    // The HPA scales the Deployment by the name the Deployment has.
    expect(template('hpa.yaml')).toMatch(
      /scaleTargetRef:\s+apiVersion: apps\/v1\s+kind: Deployment\s+name: \{\{ include "patient-api.fullname" \. \}\}/,
    );
    expect(template('api-deployment.yaml')).toMatch(
      /^metadata:\n {2}name: \{\{ include "patient-api.fullname" \. \}\}$/m,
    );
  });

  it("selects Redis's pod with its own labels, which the API's selector does not match", () => {
    const selector = includedAt('redis.yaml', 'StatefulSet', 'spec.selector.matchLabels');
    expect(selector).toEqual(['patient-api.redisSelectorLabels']);
    expect(includedAt('redis.yaml', 'StatefulSet', 'spec.template.metadata.labels')).toEqual(
      selector,
    );
    expect(includedAt('redis.yaml', 'Service', 'spec.selector')).toEqual(selector);

    const defines = namedTemplates(template('_helpers.tpl'));
    expect(defines.get('patient-api.selectorLabels')).toContain('app.kubernetes.io/component: api');
    expect(defines.get('patient-api.redisSelectorLabels')).toContain(
      'app.kubernetes.io/component: redis',
    );
  });

  it('probes /health/live and /health/ready over HTTPS and asks for SGX when SCONE is on', () => {
    const deployment = template('api-deployment.yaml');
    expect(deployment).toMatch(
      /livenessProbe:\s+httpGet:\s+path: \/health\/live\s+port: https\s+scheme: HTTPS/,
    );
    expect(deployment).toMatch(
      /readinessProbe:\s+httpGet:\s+path: \/health\/ready\s+port: https\s+scheme: HTTPS/,
    );
    expect(deployment).toMatch(
      /\{\{- if \.Values\.scone\.enabled \}\}\s+\{\{ \.Values\.scone\.sgxResource \}\}: 1/,
    );
    expect(values.scone.sgxResource).toBe('sgx.k8s.io/sgx');
    for (const variable of ['SCONE_CAS_ADDR', 'SCONE_LAS_ADDR', 'SCONE_CONFIG_ID']) {
      expect(deployment + template('_helpers.tpl')).toContain(`name: ${variable}`);
    }
    expect(deployment).toMatch(/name: SCONE_CONFIG_ID\s+value: \{\{ \.Values\.scone\.apiSession/);
  });

  it('sets only environment variables the API reads (EnvironmentVariables) or the SCONE runtime reads', () => {
    const known = envDtoVariables(read('apps/api/src/config/environment-variables.ts'));
    const names = [...template('api-deployment.yaml').matchAll(/- name: ([A-Z][A-Z0-9_]*)$/gm)].map(
      (m) => m[1],
    );
    expect(names.length).toBeGreaterThan(10);
    const unknown = names.filter((name) => !known.has(name) && !name.startsWith('SCONE_'));
    expect(unknown).toEqual([]);
  });

  it('runs Redis TLS-only from docker/redis/redis.conf with a persistent volume', () => {
    const redis = template('redis.yaml');
    expect(redis).toContain('kind: StatefulSet');
    expect(redis).toContain('volumeClaimTemplates:');
    expect(redis).toContain('.Files.Get "files/redis.conf"');
    // Helm reads only files inside the chart: files/redis.conf is a copy, kept equal.
    expect(read('deploy/helm/files/redis.conf')).toEqual(read('docker/redis/redis.conf'));
  });

  it('reads only files that exist in the chart', () => {
    for (const { text } of templates) {
      for (const match of text.matchAll(/\.Files\.Get "([^"]+)"/g)) {
        expect(existsSync(join(chart, match[1]))).toBe(true);
      }
    }
  });

  it('has a helm test pod that runs the smoke script, with a token when auth is on', () => {
    const pod = template('tests/smoke-test.yaml');
    const annotations = load(
      /annotations:\n((?: {4}.*\n)+)/.exec(pod)?.[1].replace(/^ {4}/gm, '') ?? '',
    );
    expect(annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    expect(pod).toContain('kind: Pod');
    expect(pod).toContain('command: ["node", "/smoke/smoke-test.js"]');
    expect(pod).toMatch(/if and \.Values\.auth\.enabled \.Values\.tests\.tokenSecret\.name/);
    expect(template('tests/smoke-test-configmap.yaml')).toContain(
      '.Files.Get "files/smoke-test.js"',
    );
  });
});
