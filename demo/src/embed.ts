/**
 * The demo site's stand-alone embed (demo/dist/synthloop-chart.js): one file that registers
 * <synthloop-chart> on any page, even one of another origin, so its engine worker is inlined
 * (a worker script must be same-origin). Packages that bundle synthloop use `synthloop/chart`.
 *
 *   <script type="module" src="synthloop-chart.js"></script>
 *   <synthloop-chart preset="yi-verified" replicates="4096"></synthloop-chart>
 */
// First: the element must start inline workers before src/chart/index.js registers it.
import './inline-worker.js';

export * from '../../src/chart/index.js';
