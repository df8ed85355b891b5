// The progress line of `synthloop run` (src/cli/progress.ts): its text, its ETA against an
// injected clock, and silence where the stream is not a terminal.
import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, formatProgress, type ProgressStream } from '../src/cli/progress.js';

/** A terminal that records what is written to it. */
function terminal(columns = 80): ProgressStream & { writes: string[]; last: () => string } {
  const writes: string[] = [];
  return {
    isTTY: true,
    columns,
    writes,
    write(text: string) { writes.push(text); },
    // What the line shows now: the last write without its carriage return and erase-to-end.
    last: () => writes.at(-1)!.replace(/^\r/, '').replace(/\x1b\[K$/, ''),
  };
}

/** A clock the test moves by hand (milliseconds). */
function clock() {
  let ms = 1_000;
  return { now: () => ms, advance: (seconds: number) => { ms += seconds * 1000; } };
}

describe('formatDuration', () => {
  it('writes m:ss, and h:mm:ss from an hour on, rounding down', () => {
    expect([0, 0.99, 7, 59.9, 60, 61, 599, 3599, 3600, 3723, 36_000].map(formatDuration))
      .toEqual(['0:00', '0:00', '0:07', '0:59', '1:00', '1:01', '9:59', '59:59', '1:00:00', '1:02:03', '10:00:00']);
  });
  it('never goes negative', () => expect(formatDuration(-3)).toBe('0:00'));
});

describe('formatProgress', () => {
  it('shows generation t/T, the bar, the percentage, elapsed time and ETA', () => {
    const line = formatProgress({ t: 3, generations: 19, elapsedSeconds: 4.5, etaSeconds: 17.2, columns: 120 });
    expect(line).toMatch(/^generation 3\/19 █+░+  20% · 0:04 elapsed · ETA 0:18$/);
    // 4 of 20 generations (t = 0..3) on the widest bar (40): a fifth of it filled.
    const bar = line.split(' ')[2];
    expect(bar.length).toBe(40);
    expect(bar).toBe('█'.repeat(8) + '░'.repeat(32));
  });
  it('before the first generation: no t, an empty bar, no ETA yet', () => {
    expect(formatProgress({ t: null, generations: 5, elapsedSeconds: 2, etaSeconds: null, columns: 80 }))
      .toMatch(/^generation –\/5 ░+   0% · 0:02 elapsed · ETA –:––$/);
  });
  it('a full bar at the last generation', () => {
    expect(formatProgress({ t: 5, generations: 5, elapsedSeconds: 60, etaSeconds: 0, columns: 80 }))
      .toMatch(/^generation 5\/5 █+ 100% · 1:00 elapsed · ETA 0:00$/);
  });
  it('fits the terminal: a narrower bar, then a cut line, never a wrap', () => {
    const wide = formatProgress({ t: 1, generations: 3, elapsedSeconds: 1, etaSeconds: 1, columns: 80 });
    expect(wide.length).toBe(79);
    expect(wide.split(' ')[2]).toHaveLength(79 - 'generation 1/3'.length - ' 50% · 0:01 elapsed · ETA 0:01'.length - 2);
    // Below the shortest bar (10) the line is cut at the terminal's edge.
    const narrow = formatProgress({ t: 1, generations: 3, elapsedSeconds: 1, etaSeconds: 1, columns: 55 });
    expect(narrow.length).toBe(54);
    expect(narrow.split(' ')[2]).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(formatProgress({ t: 1, generations: 3, elapsedSeconds: 1, etaSeconds: 1, columns: 30 }).length).toBe(29);
  });
});

describe('createProgress', () => {
  it('estimates the time left from the average time per generation so far', () => {
    const stream = terminal(), time = clock();
    const progress = createProgress({ generations: 4, stream, now: time.now, redrawMs: 0 });
    expect(stream.last()).toMatch(/^generation –\/4 ░+   0% · 0:00 elapsed · ETA –:––$/);

    time.advance(2);
    progress.update(0);   // 1 of 5 generations in 2 s: 4 more take 8 s
    expect(stream.last()).toMatch(/^generation 0\/4 █+░+  20% · 0:02 elapsed · ETA 0:08$/);

    time.advance(3);
    progress.render();    // no generation finished since: the ETA counts down
    expect(stream.last()).toMatch(/ 20% · 0:05 elapsed · ETA 0:05$/);

    time.advance(1);
    progress.update(1);   // 2 in 6 s: 3 s each, 3 more take 9 s
    expect(stream.last()).toMatch(/^generation 1\/4 █+░+  40% · 0:06 elapsed · ETA 0:09$/);
    progress.update(1);   // the same generation again (the next cell of a sweep): nothing new drawn
    expect(stream.writes).toHaveLength(4);

    time.advance(20);
    progress.render();    // slower than estimated: the ETA stays at 0, never negative
    expect(stream.last()).toMatch(/ 40% · 0:26 elapsed · ETA 0:00$/);

    progress.clear();
    expect(stream.writes.at(-1)).toBe('\r\x1b[K');
    // Every draw returns to the start of the line and erases what a longer line left.
    expect(stream.writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K'))).toBe(true);
  });

  it('redraws on its own while a generation runs, and stops when cleared', async () => {
    const stream = terminal();
    const progress = createProgress({ generations: 2, stream, redrawMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const drawn = stream.writes.length;
    expect(drawn).toBeGreaterThan(2);
    progress.clear();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stream.writes.length).toBe(drawn + 1);
  });

  it('writes nothing where the stream is not a terminal', async () => {
    const writes: string[] = [];
    const piped: ProgressStream = { isTTY: false, write: (text) => { writes.push(text); } };
    const progress = createProgress({ generations: 3, stream: piped, redrawMs: 5 });
    progress.update(0);
    progress.render();
    await new Promise((resolve) => setTimeout(resolve, 20));
    progress.clear();
    expect(writes).toEqual([]);
  });
});
