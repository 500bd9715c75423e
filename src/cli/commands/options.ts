import { Option } from 'commander';
import type { ReportFormat } from '../../report/connectivity-report.js';

export interface ReportOptions {
  readonly output: ReportFormat;
}

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['txt', 'json']).default('txt');
}
