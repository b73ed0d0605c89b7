// The error a test expects, caught and typed as its domain's error class, for exact assertions on code and message.

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** What `run` throws, which must be an `errorClass`; anything else thrown fails the test as it is. */
export function thrownBy<E extends Error>(errorClass: ErrorClass<E>, run: () => unknown): E {
  try {
    run();
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw err;
  }
  throw new Error(`expected a ${errorClass.name}, nothing was thrown`);
}

/** What `promise` rejects with, which must be an `errorClass`; any other rejection fails the test as it is. */
export async function rejectionOf<E extends Error>(errorClass: ErrorClass<E>, promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw err;
  }
  throw new Error(`expected a ${errorClass.name}, the promise resolved`);
}
