export const packageName = '@kardkit/cli';
export { buildProgram, run, version } from './cli.js';
export { CliError, EXIT } from './errors.js';
export { CsvParser, rowToRecord } from './io/csv.js';
export { JsonArrayScanner } from './io/json-array.js';
export { type InputFormat, type InputRecord, readRecords, sniffFormat } from './io/records.js';
export { detectSchema, Judge, type RecordSchema, type Verdict } from './judge.js';
export { defaultIo, type Io } from './output.js';
