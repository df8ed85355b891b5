/** Makes <synthloop-chart> start its engine worker from an inlined copy (see embed.ts). */
import InlineEngineWorker from '../../src/chart/worker.ts?worker&inline';
import { SynthloopChart } from '../../src/chart/element.js';

SynthloopChart.createWorker = () => new InlineEngineWorker();
