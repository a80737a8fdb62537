import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseScan, Finding, SCAN_ENV, scanFiles, secretsIn } from './secret-scan';

/**
 * The end of the run: every log line the services wrote and every scratch
 * database's scan, read back; any secret found fails the run, named by
 * table/column/row or file:line. The report: test-artifacts/secret-scan/run-<pid>/report.json.
 */
export default async function teardown(): Promise<void> {
  // In-process loggers write asynchronously: let their last lines reach the file.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const dir = process.env[SCAN_ENV];
  if (!dir) return;
  const { logDir, databases: databasesFile, report } = scanFiles(dir);
  const findings: Finding[] = [];
  let logLines = 0;
  const logFiles = existsSync(logDir) ? readdirSync(logDir).map((f) => join(logDir, f)) : [];
  for (const file of logFiles) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (!line) return;
      logLines++;
      for (const s of secretsIn(line, 'log')) findings.push({ ...s, where: `${relative(process.cwd(), file)}:${i + 1}` });
    });
  }
  const databases: DatabaseScan[] = existsSync(databasesFile) ? readFileSync(databasesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const unreadable = databases.filter((d) => d.error);
  for (const d of databases) findings.push(...d.findings);
  const sum = (key: 'tables' | 'columns' | 'rows' | 'cells') => databases.reduce((n, d) => n + d[key], 0);
  const counts = { logFiles: logFiles.length, logLines, databases: databases.length, tables: sum('tables'), columns: sum('columns'), rows: sum('rows'), cells: sum('cells'), leaks: findings.length };
  writeFileSync(report, JSON.stringify({ counts, findings, unreadable: unreadable.map((d) => ({ database: d.database, error: d.error })) }, null, 2));
  process.stderr.write(
    `\nsecret scan: ${counts.logLines} log lines in ${counts.logFiles} file(s), ${counts.databases} databases (${counts.columns} text columns, ${counts.rows} rows, ${counts.cells} values): ${counts.leaks} leak(s)\n`,
  );
  if (findings.length === 0 && unreadable.length === 0) return;
  const lines = [
    ...unreadable.map((d) => `database ${d.database} could not be scanned: ${d.error}`),
    ...findings.slice(0, 30).map((f) => `${f.kind} in ${f.where}: ${f.excerpt}`),
    ...(findings.length > 30 ? [`… and ${findings.length - 30} more in ${relative(process.cwd(), report)}`] : []),
  ];
  throw new Error(`Secrets were written where they must not be:\n${lines.join('\n')}`);
}
