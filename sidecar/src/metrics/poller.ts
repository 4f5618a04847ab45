/**
 * Runs the collectors on one timer. The timer is unref'd (it never keeps the process alive), a round
 * that is still running when the next is due is not doubled, and a failing collector is reported once
 * when it starts failing (and once when it recovers), not every round.
 */
export interface PollTask {
  name: string;
  run(): Promise<unknown>;
}

export interface PollerEvents {
  onFailing(task: string, err: unknown): void;
  onRecovered(task: string): void;
}

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  private readonly failing = new Set<string>();

  constructor(
    private readonly intervalMs: number,
    private readonly tasks: readonly PollTask[],
    private readonly events: PollerEvents
  ) {}

  /** Starts polling with an immediate first round; resolves when that round is done. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return this.tick();
  }

  /** One round now, or the one already running. Never rejects. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.round) {
      this.round = Promise.all(this.tasks.map((t) => this.runTask(t))).then(() => {
        this.round = undefined;
      });
    }
    return this.round;
  }

  private async runTask(task: PollTask): Promise<void> {
    try {
      await task.run();
      if (this.failing.delete(task.name)) this.events.onRecovered(task.name);
    } catch (err) {
      if (!this.failing.has(task.name)) {
        this.failing.add(task.name);
        this.events.onFailing(task.name, err);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.round;
  }
}
