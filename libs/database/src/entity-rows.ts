import type { DataSource, EntityTarget } from 'typeorm';

/**
 * Repositories only: an entity from a row a raw statement returned (`RETURNING *`, or a SELECT of the table's
 * columns), with the column types and transformers TypeORM would apply. For a statement that claims rows and reads
 * them in one round trip, where a find after the claim was a second statement.
 */
export function entityFromRow<T>(db: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = db.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) column.setEntityValue(entity as object, db.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}
