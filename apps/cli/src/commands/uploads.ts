import type { GlobalFlags } from '../config.js';
import { EXIT } from '../errors.js';
import { materialize, openInput, type ReadOptions, readRecords } from '../io/records.js';
import { type Io, writeJson } from '../output.js';
import { withSession } from '../session.js';

/** Records that could not be parsed: left out of the upload, counted, the first one named. */
interface Unparseable {
  count: number;
  first?: string;
}

/**
 * The records of a file. For historical uploads, v2 `transaction` events become `historicalTransaction`
 * items (same `TransactionAttributes`, openapi/kard.yaml schema `HistoricalTransaction`; R34 line types), so one file serves both flows.
 */
async function* values(
  file: string,
  io: Io,
  read: Omit<ReadOptions, 'file'>,
  bad: Unparseable,
  historical: boolean,
) {
  const input = openInput(file, io.stdin as never);
  for await (const chunk of readRecords(input, {
    file,
    format: read.format,
    delimiter: read.delimiter,
    maxRecordBytes: read.maxRecordBytes,
  })) {
    for (const r of chunk) {
      materialize(r);
      if (r.error !== undefined) {
        bad.count++;
        bad.first ??= `record ${r.n}: ${r.error}`;
        continue;
      }
      const v = r.value as { type?: unknown } | null;
      if (historical && v && typeof v === 'object' && v.type === 'transaction') {
        yield { ...v, type: 'historicalTransaction' };
      } else yield r.value;
    }
  }
}

/** Deprecated per-user multipart flow (R37): create → parts of ≤500 (R35) → complete (R36), via the SDK. */
export async function runUploadsHistorical(
  file: string,
  o: { user: string; json?: boolean } & Omit<ReadOptions, 'file'>,
  flags: GlobalFlags,
  io: Io,
): Promise<number> {
  const bad: Unparseable = { count: 0 };
  io.stderr.write(
    'kard: notice: the per-user upload session is deprecated (R37); use `kard uploads bulk <file> --type historical` instead\n',
  );
  return withSession(flags, io, async (session) => {
    const report = await session.client.users.uploads.send(o.user, values(file, io, o, bad, true), {});
    const rejected = report.rejected.length + bad.count;
    if (o.json) {
      writeJson(io, {
        uploadId: report.uploadId,
        read: report.read + bad.count,
        sent: report.sent,
        accepted: report.accepted,
        rejected: report.rejected.map((r) => ({
          id: r.id,
          reason: r.reason,
          issues: r.issues,
          error: r.error,
        })),
        unparseable: bad.count,
      });
    } else {
      io.stdout.write(
        `upload ${report.uploadId} for user ${o.user}: ${report.accepted} accepted, ${rejected} rejected, ${report.batches} parts\n`,
      );
      if (report.rejected.length > 20)
        io.stdout.write(`  (first 20 of ${report.rejected.length}; --json lists all)\n`);
      for (const r of report.rejected.slice(0, 20)) {
        const why =
          r.issues?.map((i) => `${i.path} ${i.rule ? `[${i.rule}] ` : ''}${i.message}`).join('; ') ??
          r.error?.detail;
        io.stdout.write(`  ${r.id ?? '(no id)'}: ${r.reason}: ${why ?? ''}\n`);
      }
      if (bad.first) io.stdout.write(`  ${bad.first}\n`);
    }
    return rejected > 0 ? EXIT.data : EXIT.ok;
  });
}

/** Bulk-file flow (openapi/kard.yaml operation `transactions.createBulkUploadUrl`): presigned URL, then the records as gzipped JSONL streamed with PUT (R31–R34). */
export async function runUploadsBulk(
  file: string,
  o: { type: 'incoming' | 'historical'; name?: string; json?: boolean } & Omit<ReadOptions, 'file'>,
  flags: GlobalFlags,
  io: Io,
): Promise<number> {
  const bad: Unparseable = { count: 0 };
  return withSession(flags, io, async (session) => {
    const base =
      file === '-' ? 'transactions' : (file.split('/').pop() ?? 'transactions').replace(/\.(gz)$/, '');
    const filename = o.name ?? `${base.replace(/\.(csv|json|ndjson|jsonl)$/, '')}.jsonl.gz`;
    const res = await session.client.transactions.uploadFile(
      values(file, io, o, bad, o.type === 'historical'),
      {
        fileType: o.type === 'incoming' ? 'incomingTransactionsFile' : 'historicalTransactionsFile',
        filename,
        gzip: true,
      },
    );
    if (o.json) writeJson(io, { ...res, unparseable: bad.count });
    else {
      io.stdout.write(
        `uploaded ${res.records} records as ${res.filename} (upload ${res.uploadId}); Kard validates the file and sends a fileProcessingResult notification when done\n`,
      );
      if (bad.count) io.stdout.write(`${bad.count} unparseable records were left out (${bad.first})\n`);
    }
    return bad.count > 0 ? EXIT.data : EXIT.ok;
  });
}
