/** `dashscope-realtime simulate`: placeholder until the simulator lands (issue 3). */
export async function simulateCommand(_args: string[]): Promise<number> {
  process.stderr.write('dashscope-realtime simulate: not built yet\n');
  return 1;
}
