/**
 * The progress line of `synthloop run`, on stderr where a person watches it:
 *
 *   generation 3/20 █████░░░░░░░░░░░░░░░░░░░  20% · 0:04 elapsed · ETA 0:16
 *
 * t/T is the last finished generation (generations run t = 0..T, so T + 1 of them); the ETA is
 * the average time per finished generation times those left, counting down between updates.
 * Nothing is written where the stream is not a terminal (piped, redirected, CI).
 *
 * Hand-written rather than `cli-progress`: that library reads Date.now() and redraws on its
 * own timers, so its ETA could not be tested against an injected clock; this is one line.
 */

/** Where the line goes: process.stderr, or a stand-in with the same fields. */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width, where known. */
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** T: the last generation's number. */
  generations: number;
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds on any monotonic clock; default performance.now(). */
  now?: () => number;
  /** Redraw this often (ms) so elapsed and ETA move during a long generation; 0: only on updates. Default 1000. */
  redrawMs?: number;
}

export interface Progress {
  /** Generation t has finished (repeats for the cells of a sweep are ignored). */
  update(t: number): void;
  /** Draw the line again with the current time. */
  render(): void;
  /** Erase the line and stop redrawing; call before anything else is written to the stream. */
  clear(): void;
}

const FILLED = '█';
const EMPTY = '░';
const MIN_BAR = 10;
const MAX_BAR = 40;
/** Width assumed where the stream does not say. */
const DEFAULT_COLUMNS = 80;

const NOTHING: Progress = { update: () => {}, render: () => {}, clear: () => {} };

/** `m:ss`, or `h:mm:ss` from an hour on; whole seconds, rounded down. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface ProgressState {
  /** Last finished generation, or null before the first. */
  t: number | null;
  /** T. */
  generations: number;
  elapsedSeconds: number;
  /** Seconds left, or null while unknown. */
  etaSeconds: number | null;
  columns: number;
}

/** The line itself, at most `columns − 1` characters so it never wraps. */
export function formatProgress({ t, generations, elapsedSeconds, etaSeconds, columns }: ProgressState): string {
  const total = generations + 1;
  const done = t === null ? 0 : t + 1;
  const fraction = Math.min(1, done / total);
  const label = `generation ${t === null ? '–' : t}/${generations}`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  // Seconds left rounded up: never "0:00" while work remains.
  const eta = etaSeconds === null ? 'ETA –:––' : `ETA ${formatDuration(Math.ceil(etaSeconds))}`;
  const tail = `${percent} · ${formatDuration(elapsedSeconds)} elapsed · ${eta}`;
  const room = columns - 1 - label.length - tail.length - 2;
  const width = Math.max(MIN_BAR, Math.min(MAX_BAR, room));
  const filled = Math.round(fraction * width);
  const line = `${label} ${FILLED.repeat(filled)}${EMPTY.repeat(width - filled)} ${tail}`;
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** A progress line on `stream`, or one that does nothing where the stream is not a terminal. */
export function createProgress({ generations, stream = process.stderr, now = () => performance.now(), redrawMs = 1000 }: ProgressOptions): Progress {
  if (!stream.isTTY) return NOTHING;
  const started = now();
  let t: number | null = null;
  /** Elapsed seconds when the last generation finished. */
  let finishedAt = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const render = () => {
    const elapsed = (now() - started) / 1000;
    let eta: number | null = null;
    if (t !== null) {
      const done = t + 1;
      // Projected end from the average so far, counted down from now.
      eta = Math.max(0, finishedAt + (finishedAt / done) * (generations + 1 - done) - elapsed);
    }
    stream.write(`\r${formatProgress({ t, generations, elapsedSeconds: elapsed, etaSeconds: eta, columns: stream.columns || DEFAULT_COLUMNS })}\x1b[K`);
  };

  if (redrawMs > 0) {
    timer = setInterval(render, redrawMs);
    // The line never keeps the process alive.
    timer.unref?.();
  }
  render();
  return {
    update(finished: number) {
      if (finished === t) return;
      t = finished;
      finishedAt = (now() - started) / 1000;
      render();
    },
    render,
    clear() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      stream.write('\r\x1b[K');
    },
  };
}
