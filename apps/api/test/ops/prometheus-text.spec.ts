import { parsePrometheusText } from './prometheus-text';

// The reader that the ops tests check /metrics with must itself refuse what Prometheus refuses.
describe('parsePrometheusText', () => {
  const valid = [
    '# HELP http_request_duration_seconds Time taken, with a \\\\ and a \\n.',
    '# TYPE http_request_duration_seconds histogram',
    'http_request_duration_seconds_bucket{le="0.1",route="/patient/:id"} 1',
    'http_request_duration_seconds_bucket{le="+Inf",route="/patient/:id"} 2',
    'http_request_duration_seconds_sum{route="/patient/:id"} 0.3',
    'http_request_duration_seconds_count{route="/patient/:id"} 2',
    '# TYPE up gauge',
    'up{job="a \\"quoted\\" name"} 1 1700000000000',
    '',
  ].join('\n');

  it('reads families, types, help, labels and values', () => {
    const families = parsePrometheusText(valid);
    expect(families.get('http_request_duration_seconds')).toMatchObject({
      type: 'histogram',
      help: 'Time taken, with a \\ and a \n.',
    });
    expect(families.get('up')?.samples).toEqual([
      { name: 'up', labels: { job: 'a "quoted" name' }, value: 1 },
    ]);
  });

  it.each([
    ['a bad metric name', '9up 1\n'],
    ['a bad value', 'up one\n'],
    ['a bad escape', 'up{a="\\x"} 1\n'],
    ['an unterminated label', 'up{a="1} 1\n'],
    ['a TYPE after samples', 'up 1\n# TYPE up gauge\n'],
    ['a duplicate series', 'up{a="1"} 1\nup{a="1"} 2\n'],
    ['a family split in two', 'a 1\nb 1\na{x="y"} 1\n'],
    ['no final newline', 'up 1'],
    [
      'buckets that are not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'a _count that is not the +Inf bucket',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    ],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
