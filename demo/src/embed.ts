/**
 * The embeddable build (demo/dist/synthloop-chart.js): importing it registers <synthloop-chart>.
 *
 *   <script type="module" src="synthloop-chart.js"></script>
 *   <synthloop-chart preset="yi-verified" replicates="4096"></synthloop-chart>
 *
 * or, from a module: `import { mount } from './synthloop-chart.js'; mount(element, spec)`.
 */
import { defineSynthloopChart } from './element.js';

export { SynthloopChart, mount, defineSynthloopChart, describeBackend } from './element.js';
export type { ChartConfig, ChartState, FinishedRun } from './element.js';
export { demoPresetSpec, presetNames, DEMO_REPLICATES } from './presets.js';
export { STRATEGIES, strategySpec } from './strategies.js';
export type { Strategy } from './strategies.js';

defineSynthloopChart();
