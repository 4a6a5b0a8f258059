// Prepares the chart's `helm test` pods, as rendered by test/deploy/helm-render, for
// `podman play kube`: writes each test pod and the ConfigMaps it mounts to their own files. Podman
// 4.3 crashes on Secret volumes, so each becomes a hostPath folder holding the same files (a
// Secret's items, or all its keys), taken from SECRETS_DIR/<secret name>/<key>.
//
// Usage: node tools/helm-test-pods.js RENDERED.yaml SECRETS_DIR OUT_DIR
// Prints one line per test pod: <pod file> <configmap file> <pod name> <container name>
// <configmap names, comma-separated> (podman makes a volume of each: remove them afterwards).
'use strict';
const { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const yaml = require('js-yaml');

const [renderedFile, secretsDir, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node tools/helm-test-pods.js RENDERED.yaml SECRETS_DIR OUT_DIR');
  process.exit(64);
}

const docs = yaml.loadAll(readFileSync(renderedFile, 'utf8')).filter(Boolean);
const configMaps = new Map(
  docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d]),
);
const testPods = docs.filter(
  (d) => d.kind === 'Pod' && (d.metadata.annotations || {})['helm.sh/hook'] === 'test',
);
if (testPods.length === 0) {
  console.error('helm-test-pods: the chart renders no pod with helm.sh/hook: test');
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
for (const pod of testPods) {
  const name = pod.metadata.name;
  const mounted = [];
  for (const volume of pod.spec.volumes || []) {
    if (volume.configMap) {
      const configMap = configMaps.get(volume.configMap.name);
      if (!configMap)
        throw new Error(`${name}: no ConfigMap ${volume.configMap.name} in the chart`);
      mounted.push(configMap);
    }
    if (volume.secret) {
      const source = join(secretsDir, volume.secret.secretName);
      const items = volume.secret.items || readdirSync(source).map((key) => ({ key, path: key }));
      const folder = join(outDir, `${name}-${volume.name}`);
      mkdirSync(folder, { recursive: true });
      for (const { key, path } of items) {
        writeFileSync(join(folder, path), readFileSync(join(source, key)));
        // What defaultMode and fsGroup would grant the pod's user.
        chmodSync(join(folder, path), 0o444);
      }
      delete volume.secret;
      volume.hostPath = { path: folder, type: 'Directory' };
    }
  }
  const podFile = join(outDir, `${name}.pod.yaml`);
  const configMapFile = join(outDir, `${name}.configmaps.yaml`);
  writeFileSync(podFile, yaml.dump(pod));
  writeFileSync(configMapFile, mounted.map((c) => yaml.dump(c)).join('---\n'));
  const names = mounted.map((c) => c.metadata.name).join(',');
  console.log(`${podFile} ${configMapFile} ${name} ${pod.spec.containers[0].name} ${names}`);
}
