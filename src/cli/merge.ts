// `synthloop merge`: the shard files of one run (`synthloop run --shard i/N`) into the output the
// whole run would print, after checking that they are every shard of the same run, once each.
import { mergeShards } from '../models/index.js';
import { formatRun, type OutputFormat } from './format-run.js';
import { checkWritable, readRunFile } from './run-files.js';
import { INVALID_SPEC_EXIT, terminalWidth, writeOutput } from './run.js';

export interface MergeCommandOptions {
  format: OutputFormat;
  out?: string;
  quiet?: boolean;
}

export async function mergeCommand(files: string[], options: MergeCommandOptions): Promise<number> {
  let text: Iterable<string>;
  let notices: string[];
  try {
    if (options.out) checkWritable(options.out, '--out');
    const shards = files.map((file) => ({ name: file, output: readRunFile(file, 'shard') }));
    const result = mergeShards(shards);
    notices = result.notices;
    text = formatRun(result, options.format, shards[0].output.source, terminalWidth(options.out));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return INVALID_SPEC_EXIT;
  }
  const quiet = options.quiet === true;
  if (!quiet) for (const notice of notices) process.stderr.write(`note: ${notice}\n`);
  writeOutput(text, options.out, quiet);
  return 0;
}
