// Dawn's own log lines ("Warning: … artificially reduced …", printed by its C++ on fd 2) would fill
// the test output; each test process silences them as the CLI does (vitest's reporting goes
// through its worker channel, and the tests' console output through vitest, not fd 2).
import { silenceNativeOutput } from '../../src/cli/native-output.js';

const silenced = Symbol.for('synthloop.tests.nativeOutputSilenced');
const scope = globalThis as { [silenced]?: boolean };
if (!scope[silenced]) scope[silenced] = await silenceNativeOutput();
