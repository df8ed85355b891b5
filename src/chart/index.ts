/**
 * `synthloop/chart`: importing it registers <synthloop-chart>, an element that runs a spec on
 * WebGPU in a worker (the float64 CPU twin where the browser has none) and plots it live.
 *
 *   import 'synthloop/chart';
 *   <synthloop-chart preset="yi-verified" replicates="4096"></synthloop-chart>
 *
 * or `import { mount } from 'synthloop/chart'; mount(element, spec)`.
 */
import { defineSynthloopChart } from './element.js';

export { SynthloopChart, mount, defineSynthloopChart, describeBackend } from './element.js';
export type { ChartConfig, ChartState, FinishedRun } from './element.js';
export type { BackendInfo } from './protocol.js';
export { demoPresetSpec, presetNames, DEMO_REPLICATES } from './presets.js';
export { STRATEGIES, strategySpec } from './strategies.js';
export type { Strategy } from './strategies.js';

defineSynthloopChart();
