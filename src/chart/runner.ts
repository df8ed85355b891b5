/**
 * The page's side of the engine worker: runs one spec at a time, streams its generations, and
 * cancels at once — by asking the worker (a WebGPU run stops before its next generation) and, if
 * the worker is busy in the CPU twin and does not answer within CANCEL_GRACE_MS, by ending it
 * (the next run starts a fresh one).
 */
import type { GenerationImage } from '../core/engine/model.js';
import type { RunResult, Stats } from '../core/engine/result.js';
import type { SpecIssue } from '../core/spec/errors.js';
import type { BackendInfo, FromWorker, ToWorker } from './protocol.js';

const CANCEL_GRACE_MS = 250;

export class RunCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'RunCancelled';
  }
}

export class RunFailed extends Error {
  constructor(message: string, readonly issues?: SpecIssue[]) {
    super(message);
    this.name = 'RunFailed';
  }
}

interface Pending {
  onGeneration: (stats: Stats, cell: number) => void;
  onImage?: (image: GenerationImage) => void;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
}

export class EngineRunner {
  private worker?: Worker;
  /**
   * `createWorker` starts the engine's worker (src/chart/worker.ts), bundled as its host needs it;
   * `init`, if given, is the first message every new worker gets.
   */
  constructor(private readonly createWorker: () => Worker, private readonly init?: () => ToWorker) {}

  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private backendInfo?: Promise<BackendInfo>;
  private resolveBackend?: (info: BackendInfo) => void;

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(`the engine's worker failed: ${event.message}`);
    };
    this.worker = worker;
    if (this.init) worker.postMessage(this.init());
    return worker;
  }

  private send(message: ToWorker): void {
    this.ensureWorker().postMessage(message);
  }

  private receive(message: FromWorker): void {
    if (message.type === 'backend') {
      this.resolveBackend?.(message.info);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    switch (message.type) {
      case 'generation':
        pending.onGeneration(message.stats, message.cell);
        return;
      case 'image':
        pending.onImage?.(message.image);
        return;
      case 'done':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        return;
      case 'cancelled':
        this.pending.delete(message.id);
        pending.reject(new RunCancelled());
        return;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(new RunFailed(message.message, message.issues));
    }
  }

  private failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new RunFailed(message));
    }
  }

  /** Where runs will execute (acquires the worker's device on first call). */
  backend(): Promise<BackendInfo> {
    if (!this.backendInfo) {
      this.backendInfo = new Promise((resolve) => { this.resolveBackend = resolve; });
      this.send({ type: 'probe' });
    }
    return this.backendInfo;
  }

  /**
   * Runs one spec (as written); rejects with RunCancelled when `signal` aborts, RunFailed on an error.
   * `onImage` gets the images the model draws after each generation (only mnist-cvae draws any).
   */
  run(spec: unknown, onGeneration: (stats: Stats, cell: number) => void, signal?: AbortSignal, onImage?: (image: GenerationImage) => void): Promise<RunResult> {
    if (signal?.aborted) return Promise.reject(new RunCancelled());
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { onGeneration, onImage, resolve, reject });
      this.send({ type: 'run', id, spec });
      signal?.addEventListener('abort', () => {
        if (!this.pending.has(id)) return;
        this.send({ type: 'cancel', id });
        setTimeout(() => {
          const still = this.pending.get(id);
          if (!still) return;
          // Busy in the CPU twin: end the worker; the next run (and probe) start a fresh one.
          this.pending.delete(id);
          this.terminate();
          still.reject(new RunCancelled());
        }, CANCEL_GRACE_MS);
      }, { once: true });
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.backendInfo = undefined;
    this.failAll('the engine was stopped');
  }
}
