#!/usr/bin/env node
// The `synthloop` command line.
import { Command, Option } from 'commander';
import { devicesCommand } from './devices.js';
import { benchCommand } from './bench.js';

const program = new Command()
  .name('synthloop')
  .description('WebGPU Monte Carlo engine for model collapse under iterative retraining on synthetic data')
  .showHelpAfterError();

program.command('devices')
  .description('list every WebGPU adapter path that works on this machine, with its compute limits')
  .option('--json', 'print JSON')
  .action(async (options) => { process.exitCode = await devicesCommand(options); });

program.command('bench')
  .description('measure throughput (workloads: rng)')
  .argument('<workload>', 'rng')
  .addOption(new Option('--adapter <path>', 'one adapter path only').choices(['hardware', 'llvmpipe', 'swiftshader']))
  .option('--json', 'print JSON')
  .action(async (workload, options) => { process.exitCode = await benchCommand(workload, options); });

program.parseAsync().then(
  // Dawn keeps native handles alive; leave once the command is done.
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    process.stderr.write(`synthloop: ${error.message}\n`);
    process.exit(1);
  },
);
