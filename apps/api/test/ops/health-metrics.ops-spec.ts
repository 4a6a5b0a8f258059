import { eventually } from '@test/support/eventually';
import { seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';
import { parsePrometheusText, type MetricFamily } from './prometheus-text';

function sampleValue(
  families: Map<string, MetricFamily>,
  family: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return families
    .get(family)
    ?.samples.find(
      (s) =>
        s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
    )?.value;
}

describe('health and metrics, as documented', () => {
  const api = useTestApi({ redis: true, direct: true, env: { HEALTH_TIMEOUT_MS: '300' } });

  it('answers /health/live without a token, in the terminus shape, never cached', async () => {
    const res = await api.client.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('answers /health/ready 200 when secrets and storage are fine, 503 when storage is slow or gone, and 200 again after', async () => {
    const ready = await api.client.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.json()).toEqual({
      status: 'ok',
      info: { secrets: { status: 'up' }, storage: { status: 'up' } },
      error: {},
      details: { secrets: { status: 'up' }, storage: { status: 'up' } },
    });

    // Redis holds every command for a while (UNPAUSE would be held too): the ping gets no answer
    // within HEALTH_TIMEOUT_MS.
    await api.direct.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const slow = await api.client.get('/health/ready');
    expect(slow.status).toBe(503);
    expect(slow.headers['content-type']).toMatch(/^application\/json/);
    expect(slow.json()).toEqual({
      status: 'error',
      info: { secrets: { status: 'up' } },
      error: { storage: { status: 'down', message: 'no answer within 300 ms' } },
      details: {
        secrets: { status: 'up' },
        storage: { status: 'down', message: 'no answer within 300 ms' },
      },
    });

    await api.redis.stop();
    const gone = await api.client.get('/health/ready');
    expect(gone.status).toBe(503);
    expect(gone.json().error).toEqual({
      storage: { status: 'down', message: 'storage is unavailable' },
    });
    // A public endpoint: nothing about where Redis is or what the driver said.
    expect(gone.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|ioredis|redis/i);
    expect((await api.client.get('/health/live')).status).toBe(200);

    await api.redis.start();
    const back = await eventually(
      () => api.client.get('/health/ready'),
      (res) => res.status === 200,
    );
    expect(back.status).toBe(200);
  });

  it('serves /metrics without a token in the Prometheus text format, labelled by route template and never by id', async () => {
    const id = 'metrics-probe-7f3a';
    const created = await eventually(
      () => api.client.post(`/patient/${id}`, { form: seedWith({}) }),
      (res) => res.status !== 503,
    );
    expect(created.status).toBe(200);
    expect((await api.client.get(`/patient/${id}`)).status).toBe(200);
    const updated = await api.client.put(`/patient/${id}`, {
      form: seedWith({ city: 'Tacoma' }),
      headers: { 'if-match': String(created.headers.etag) },
    });
    expect(updated.status).toBe(200);
    expect((await api.client.delete(`/patient/${id}`)).status).toBe(204);
    expect((await api.client.get(`/patient/${id}`)).status).toBe(404);
    expect((await api.client.get(`/no/such/${id}`)).status).toBe(404);

    const res = await api.client.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.* version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const families = parsePrometheusText(res.text);

    // No patient id anywhere, in any label.
    expect(res.text).not.toContain(id);
    expect(res.text).not.toContain('Tacoma');

    const count = (method: string, route: string, status: string) =>
      sampleValue(
        families,
        'http_request_duration_seconds',
        'http_request_duration_seconds_count',
        {
          method,
          route,
          status,
        },
      );
    expect(families.get('http_request_duration_seconds')?.type).toBe('histogram');
    expect(count('POST', '/patient/:id', '200')).toBe(1);
    expect(count('PUT', '/patient/:id', '200')).toBe(1);
    expect(count('DELETE', '/patient/:id', '204')).toBe(1);
    expect(count('GET', '/patient/:id', '200')).toBe(1);
    expect(count('GET', '/patient/:id', '404')).toBe(1);
    expect(count('GET', '/health/ready', '503')).toBeGreaterThanOrEqual(2);
    expect(count('GET', 'unmatched', '404')).toBe(1);

    const changes = (change: string) =>
      sampleValue(families, 'patient_record_changes_total', 'patient_record_changes_total', {
        change,
      });
    expect(changes('created')).toBe(1);
    expect(changes('updated')).toBe(1);
    expect(changes('deleted')).toBe(1);

    // The outage of the test before: Redis was stopped and came back.
    const redisErrors = (kind: string) =>
      sampleValue(families, 'redis_errors_total', 'redis_errors_total', { kind }) ?? 0;
    expect(redisErrors('disconnect')).toBeGreaterThan(0);
    expect(redisErrors('command')).toBeGreaterThan(0);
    expect(
      sampleValue(families, 'redis_reconnects_total', 'redis_reconnects_total'),
    ).toBeGreaterThanOrEqual(1);

    // The scrape counts itself as in flight.
    expect(sampleValue(families, 'http_requests_in_flight', 'http_requests_in_flight')).toBe(1);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it('documents the health and metrics endpoints in the OpenAPI contract', async () => {
    const doc = (await api.client.get('/openapi.json')).json();
    const ready = doc.paths['/health/ready'].get;
    expect(ready.tags).toEqual(['health']);
    expect(ready.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/HealthReportDto',
    );
    expect(ready.responses['503'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/HealthReportDto',
    );
    expect(doc.components.schemas.HealthReportDto.properties.status.enum.sort()).toEqual([
      'error',
      'ok',
      'shutting_down',
    ]);
    expect(doc.paths['/health/live'].get.responses['200']).toBeDefined();
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });
});
