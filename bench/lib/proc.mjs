// Process accounting from /proc: CPU time (utime+stime) and resident memory of another process.
// /proc/<pid>/stat: "pid (comm) state ppid ..." — fields after the ")" are space separated; utime and
// stime are fields 14 and 15 of the whole line (11 and 12 after the comm), in clock ticks.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** user+sys CPU of a process, in microseconds (resolution 1/CLK_TCK s). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1e6) / CLK_TCK;
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function machineInfo() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const memKb = /^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return {
    nproc: Number(nproc),
    cpuModel: cpu ? cpu[1] : 'unknown',
    memGiB: memKb ? Math.round(Number(memKb[1]) / 1048576) : null,
    node: process.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    date: new Date().toISOString(),
  };
}
