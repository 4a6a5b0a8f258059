/** Tasks for afterAll, run last in, first out; every one runs even if an earlier one fails. */
export class Teardown {
  private readonly tasks: Array<() => unknown> = [];

  add(task: () => unknown): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let task = this.tasks.pop(); task; task = this.tasks.pop()) {
      try {
        await task();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'teardown failed');
  }
}

/**
 * Registers a fixture's beforeAll/afterAll in the calling describe block and returns its
 * context at once; the context's fields are there once beforeAll has run. Reading one earlier
 * (at collection time, say) throws instead of handing out `undefined`.
 */
export function fixture<T extends object>(
  name: string,
  open: (teardown: Teardown) => Promise<T>,
): T {
  const teardown = new Teardown();
  let value: T | undefined;
  beforeAll(async () => {
    value = await open(teardown);
  });
  afterAll(() => teardown.run());
  return new Proxy({} as T, {
    get(_target, key) {
      if (value) return Reflect.get(value, key);
      // Asked by `await` and by pretty-printers: not a field.
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      throw new Error(`${name}: "${key}" was read before the fixture's beforeAll ran`);
    },
  });
}
