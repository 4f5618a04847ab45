import { Poller, type PollTask } from './poller';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Poller', () => {
  it('does not start a round while one is running', async () => {
    let runs = 0;
    const gate = deferred();
    const task: PollTask = { name: 'slow', run: () => (runs++, gate.promise) };
    const p = new Poller(60_000, [task], { onFailing: () => {}, onRecovered: () => {} });
    const first = p.start();
    const second = p.tick();
    expect(second).toBe(first);
    gate.resolve();
    await first;
    expect(runs).toBe(1);
    await p.tick();
    expect(runs).toBe(2);
    await p.stop();
    await p.tick();
    expect(runs).toBe(2);
  });

  it('reports a failing task once, and its recovery once; other tasks still run', async () => {
    const events: string[] = [];
    let fail = true;
    let okRuns = 0;
    const tasks: PollTask[] = [
      {
        name: 'flaky',
        run: () => {
          if (fail) throw new Error('down'); // synchronous throw, handled like a rejection
          return Promise.resolve();
        },
      },
      { name: 'ok', run: async () => void okRuns++ },
    ];
    const p = new Poller(60_000, tasks, {
      onFailing: (t, err) => events.push(`failing ${t}: ${(err as Error).message}`),
      onRecovered: (t) => events.push(`recovered ${t}`),
    });
    await p.start();
    await p.tick();
    fail = false;
    await p.tick();
    await p.tick();
    await p.stop();
    expect(events).toEqual(['failing flaky: down', 'recovered flaky']);
    expect(okRuns).toBe(4);
  });
});
