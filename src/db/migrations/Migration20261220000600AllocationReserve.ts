import { Migration } from '@mikro-orm/migrations';

/**
 * A reservation written in one statement: allocation_reserve() raises reserved on each planned balance
 * row (only where on_hand − reserved still covers it) and records the order's picks, and returns how
 * many balance rows it took; the service rolls back unless that is every row. The function plans its
 * statements without hash and merge joins: a plan of a few hundred rows then probes the balances'
 * primary key instead of hashing all of them (40,000 rows for 200 categories in 200 warehouses).
 * allocation_release() does the same for what cancel, expiry and dispatch give back.
 *
 * Two per-row foreign key checks of allocation_picks go, the larger part of writing 600 picks:
 * allocation_id needs no key of its own, since (allocation_id, category) references allocation_lines,
 * whose rows reference the order; and a pick's warehouse is that of the balance row the same call has
 * just updated (stock_balances references warehouses, and warehouses are never deleted).
 */
export class Migration20261220000600AllocationReserve extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE allocation_picks DROP CONSTRAINT allocation_picks_allocation_id_fkey, DROP CONSTRAINT allocation_picks_warehouse_fkey;

      CREATE FUNCTION allocation_reserve(allocation bigint, categories text[], warehouses text[], lots text[], quantities numeric[], protected numeric[])
      RETURNS integer LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
      DECLARE taken integer;
      BEGIN
        UPDATE stock_balances b SET reserved = b.reserved + x.quantity
          FROM unnest(categories, warehouses, lots, quantities) AS x(category, warehouse, lot, quantity)
         WHERE b.category = x.category AND b.warehouse = x.warehouse AND b.lot = x.lot AND b.on_hand - b.reserved >= x.quantity;
        GET DIAGNOSTICS taken = ROW_COUNT;
        IF taken <> cardinality(categories) THEN RETURN taken; END IF;
        INSERT INTO allocation_picks AS p (allocation_id, category, warehouse, lot, quantity, open, protected)
        SELECT allocation, x.category, x.warehouse, x.lot, x.quantity, x.quantity, x.protected
          FROM unnest(categories, warehouses, lots, quantities, protected) AS x(category, warehouse, lot, quantity, protected)
        ON CONFLICT (allocation_id, category, warehouse, lot)
        DO UPDATE SET quantity = p.quantity + EXCLUDED.quantity, open = p.open + EXCLUDED.open, protected = p.protected + EXCLUDED.protected;
        RETURN taken;
      END $$;

      -- Gives back what picks still hold (cancel, expiry) or hands it to a dispatch: reserved down by each
      -- open quantity, the pick's open quantity to zero (and to dispatched, for a dispatch). Returns how
      -- many balance rows and picks it changed; the service refuses unless that is every one.
      CREATE FUNCTION allocation_release(allocation bigint, categories text[], warehouses text[], lots text[], opens numeric[], dispatch boolean, OUT balances integer, OUT held integer)
      LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
      BEGIN
        UPDATE stock_balances b SET reserved = b.reserved - x.open
          FROM unnest(categories, warehouses, lots, opens) AS x(category, warehouse, lot, open)
         WHERE b.category = x.category AND b.warehouse = x.warehouse AND b.lot = x.lot AND b.reserved >= x.open;
        GET DIAGNOSTICS balances = ROW_COUNT;
        UPDATE allocation_picks p SET open = p.open - x.open, dispatched = p.dispatched + CASE WHEN dispatch THEN x.open ELSE 0 END
          FROM unnest(categories, warehouses, lots, opens) AS x(category, warehouse, lot, open)
         WHERE p.allocation_id = allocation AND p.category = x.category AND p.warehouse = x.warehouse AND p.lot = x.lot AND p.open >= x.open;
        GET DIAGNOSTICS held = ROW_COUNT;
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP FUNCTION allocation_reserve(bigint, text[], text[], text[], numeric[], numeric[]);
      DROP FUNCTION allocation_release(bigint, text[], text[], text[], numeric[], boolean);
      ALTER TABLE allocation_picks ADD CONSTRAINT allocation_picks_allocation_id_fkey FOREIGN KEY (allocation_id) REFERENCES allocations (id),
        ADD CONSTRAINT allocation_picks_warehouse_fkey FOREIGN KEY (warehouse) REFERENCES warehouses (code);
    `);
  }
}
