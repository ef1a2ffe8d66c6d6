/** A file that cannot be read as texts. `message` is written for the person who picked the file. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(message: string) {
    super(message);
  }
}
