// Placeholder until the embedded database harness lands: unit tests need no database.
export default async function setup(): Promise<void> {}
