/** What read models need of a database handle: the ORM fork outside a transaction, or the ledger transaction inside one. */
export interface SqlRunner {
  execute<T = Record<string, unknown>[]>(sql: string, params?: readonly unknown[]): Promise<T>;
}
