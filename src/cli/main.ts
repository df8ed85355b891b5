#!/usr/bin/env node
// The `synthloop` command line.
import { Argument, Command, Option } from 'commander';
import { version } from '../../package.json';
import { devicesCommand } from './devices.js';
import { BENCH_WORKLOADS, benchCommand } from './bench.js';
import { runCommand } from './run.js';
import { mergeCommand } from './merge.js';
import { presetsCommand } from './presets.js';
import { OUTPUT_FORMATS } from './format-run.js';
import { DEFAULT_PRESET, PRESETS } from '../models/index.js';
import { silenceNativeOutput } from './native-output.js';

/** Exit statuses: 0 success, 1 a runtime failure, 2 a usage error (as a spec the user must fix). */
const USAGE_EXIT = 2;
const VERBOSE = 'let the log lines of native code (Dawn, Mesa, the Vulkan loader) through to stderr';

const program = new Command()
  .name('synthloop')
  .description('WebGPU Monte Carlo engine for model collapse under iterative retraining on synthetic data')
  .version(version, '-V, --version')
  .option('--verbose', VERBOSE)
  .showHelpAfterError()
  // Commander exits 1 on a usage error, after printing it; help and --version exit 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT))
  .hook('preAction', async (_program, command) => {
    if (!command.optsWithGlobals().verbose) await silenceNativeOutput();
  });

program.command('devices')
  .description('list every WebGPU adapter path that works on this machine, with its compute limits')
  .option('--json', 'print JSON')
  .option('--verbose', VERBOSE)
  .action(async (options) => { process.exitCode = await devicesCommand(options); });

program.command('run')
  .description('run a retraining experiment: a preset or a JSON spec file, edited with --set')
  .argument('[spec]', `preset (${Object.keys(PRESETS).join(', ')}) or JSON spec file (default: ${DEFAULT_PRESET})`)
  .option('--set <path=value>', 'edit a field, e.g. verifier.radius=0.2 or n={"kind":"harmonic","c":500} (repeatable; JSON where it parses)',
    (assignment: string, previous: string[]) => [...previous, assignment], [])
  .option('--replicates <R>', 'shorthand for --set replicates=R')
  .option('--generations <T>', 'shorthand for --set generations=T')
  .option('--seed <S>', 'shorthand for --set seed=S')
  .option('--backend <backend>', 'shorthand for --set backend=…: auto, webgpu or cpu')
  .addOption(new Option('--adapter <path>', 'WebGPU adapter path (default: SYNTHLOOP_ADAPTER, else auto)').choices(['auto', 'hardware', 'llvmpipe', 'swiftshader']))
  .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
  .option('--out <file>', 'write the output to FILE instead of stdout')
  .option('-q, --quiet', 'no progress bar and no notes on stderr (errors still print)')
  .option('--shard <i/N>', 'run shard i of N (0 ≤ i < N) of every cell\'s replicates and print its sums as JSON for `synthloop merge`')
  .option('--samples-out <dir>', 'write the images the model draws after each round (mnist-cvae: digit grids) to DIR as <cell>-round-<t>.png (DIR is created if missing)')
  .option('--checkpoint <file>', 'after every generation, write what --resume needs to FILE (atomically)')
  .option('--resume <file>', 'finish the run checkpointed in FILE, on the same backend and adapter (checkpointing on into FILE)')
  .option('--verbose', VERBOSE)
  .option('--max-memory <size>', 'memory the run\'s replicates may hold, e.g. 8GiB (default: half the machine\'s memory); a larger run is refused before any work')
  .option('--no-recover', 'keep no per-generation snapshot for surviving a lost GPU device (saves a read-back a generation: ~20 % of an accumulate run)')
  .action(async (spec, options) => { process.exitCode = await runCommand(spec, options); });

program.command('presets')
  .description('list the presets: what each shows and the paper whose result it reproduces, with links')
  .option('--json', 'print JSON, with each preset\'s full description and spec')
  .action((options) => { process.exitCode = presetsCommand(options); });

program.command('merge')
  .description('merge the shard files of one run (synthloop run --shard i/N) into its output, as the whole run prints it')
  .argument('<files...>', 'every shard of the run, once')
  .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
  .option('--out <file>', 'write the output to FILE instead of stdout')
  .option('-q, --quiet', 'no notes on stderr (errors still print)')
  .action(async (files, options) => { process.exitCode = await mergeCommand(files, options); });

program.command('bench')
  .description('measure throughput on every working adapter and the CPU twin')
  .addArgument(new Argument('<workload>', 'what to measure (all: the whole suite, saved in bench/)').choices(BENCH_WORKLOADS))
  .addOption(new Option('--adapter <path>', 'one adapter path only').choices(['hardware', 'llvmpipe', 'swiftshader']))
  .option('--json', 'print JSON')
  .option('--no-twin', 'bench all: leave out the float64 CPU twin')
  .option('--no-peers', 'bench all: leave out the numpy and JAX peers')
  .option('--out <dir>', 'bench all: write RESULTS.md and results.json into DIR (with --adapter: that adapter\'s section, merged into what DIR holds)')
  .option('--budget <seconds>', 'bench all: start nothing after SECONDS (what is left out is listed)')
  .option('--w5-replicates <list>', 'bench all: W5 at each R of a comma-separated list, e.g. 8,32 (later ones while the budget lasts; default 8)')
  .option('--smoke', 'bench all: every workload at its warm-up size, W5 at R = 1 and 5 steps (checks that everything runs; not a measurement)')
  .option('--verbose', VERBOSE)
  .action(async (workload, options) => { process.exitCode = await benchCommand(workload, options); });

program.parseAsync().then(
  // Dawn keeps native handles alive; leave once the command is done.
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    process.stderr.write(`synthloop: ${error.message}\n`);
    process.exit(1);
  },
);
