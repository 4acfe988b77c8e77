/** Thrown inside the guard to stop at the first problem; never escapes checkSql. */
export class GuardRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'GuardRefusal';
  }
}

export function refuse(reason: string): never {
  throw new GuardRefusal(reason);
}
