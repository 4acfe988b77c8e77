import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on every common build). */
const clockTicksPerSecond = 100;

/** CPU seconds (user and system) process `pid` has used so far; undefined without /proc. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After the command name in parentheses: state is field 3 of stat(5), utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

/** The child process of this one whose command line contains `name`; undefined without /proc. */
export async function childProcessNamed(name: string): Promise<number | undefined> {
  try {
    for (const task of await readdir(`/proc/${process.pid}/task`)) {
      const children = await readFile(`/proc/${process.pid}/task/${task}/children`, 'utf8');
      for (const pid of children.split(' ').filter(Boolean).map(Number)) {
        if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(name)) return pid;
      }
    }
  } catch {
    // No /proc here: the figure is left out.
  }
  return undefined;
}
