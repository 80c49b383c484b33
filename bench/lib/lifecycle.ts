/**
 * One run's lifetime: cleanup steps run in reverse order exactly once — on success, on
 * error, on SIGINT/SIGTERM and past the run's deadline — so OpenBao and every child
 * process stop with the run.
 */

export type Progress = (line: string) => void;

export interface RunLifetime {
  progress: Progress;
  /** Registers a step to undo something just started (runs last-in first-out). */
  onCleanup(step: () => Promise<void> | void): void;
  /** Throws when the run was aborted; call between requests-heavy steps. */
  checkAborted(): void;
  readonly aborted: boolean;
  /** Runs main, then cleanup, and exits the process with main's code (1 on error). */
  run(main: () => Promise<number>): void;
}

export function createRunLifetime(options: { name: string; deadlineMs: number }): RunLifetime {
  const progress: Progress = (line) => process.stderr.write(`[${options.name}] ${line}\n`);
  const steps: (() => Promise<void> | void)[] = [];
  let cleaning: Promise<void> | undefined;
  let aborted = false;

  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          progress(`cleanup: ${(error as Error).message}`);
        }
      }
    })();
    return cleaning;
  };
  const abort = (why: string) => {
    if (aborted) return;
    aborted = true;
    progress(`${why}: stopping`);
    // A second signal or a hung cleanup must not keep the run alive.
    const hard = setTimeout(() => process.exit(1), 15_000);
    hard.unref();
    void cleanup().finally(() => process.exit(1));
  };
  const watchdog = setTimeout(() => abort(`deadline of ${Math.round(options.deadlineMs / 1000)}s passed`), options.deadlineMs);
  // Stay subscribed: Ctrl-C reaches the whole process group and tsx relays it once more,
  // and a second SIGINT without a handler would kill the run before cleanup is done.
  process.on('SIGINT', () => abort('SIGINT'));
  process.on('SIGTERM', () => abort('SIGTERM'));

  return {
    progress,
    onCleanup: (step) => void steps.push(step),
    checkAborted() {
      if (aborted) throw new Error('run aborted');
    },
    get aborted() {
      return aborted;
    },
    run(main) {
      main()
        .then(
          (code) => cleanup().then(() => code),
          (error: Error) => {
            progress(`failed: ${error.stack ?? error.message}`);
            return cleanup().then(() => 1);
          },
        )
        .then((code) => {
          clearTimeout(watchdog);
          // Exit explicitly: a keep-alive socket left behind must not keep the run alive.
          process.exit(code);
        });
    },
  };
}
