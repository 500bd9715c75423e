/** Resident set size of a process, from /proc (Linux), in MB; null where /proc is not there. */
import { readFileSync } from 'node:fs';

export function readRssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the samples. */
export function sampleRss(pid: number, everyMs: number): { stop: () => number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const mb = readRssMb(pid);
    if (mb !== null) samples.push(mb);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}
